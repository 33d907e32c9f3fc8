import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { createWorkerPool, runBatch, type BatchResult } from './index.js';

let dir: string;
let moduleUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-pool-'));
  const path = join(dir, 'task.mjs');
  await writeFile(path, [
    "import { threadId } from 'node:worker_threads';",
    'export async function square(n, options) {',
    "  if (n === 3) { const e = new Error('cut short'); e.code = 'CORE_TRUNCATED'; e.file = 'f3.dcm'; throw e; }",
    "  if (n === 4) throw new TypeError('plain failure');",
    // As a DicomError naming its file is: the message starts with the file.
    "  if (n === 9) { const e = new Error('f9.dcm: cut short'); e.name = 'DicomError'; e.code = 'CORE_TRUNCATED'; e.file = 'f9.dcm'; throw e; }",
    '  const until = Date.now() + 20; while (Date.now() < until) { /* busy: CPU work */ }',
    '  return { value: n * n * options.factor, threadId };',
    '}',
  ].join('\n'));
  moduleUrl = pathToFileURL(path).href;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('createWorkerPool', () => {
  it('runs the task of a module in worker threads, one result per input, errors keeping their code and naming their file once', async () => {
    const pool = createWorkerPool<number, { value: number; threadId: number }>({ module: moduleUrl, exportName: 'square', size: 2, taskOptions: { factor: 10 } });
    const results: BatchResult<number, { value: number; threadId: number }>[] = [];
    try {
      for await (const r of runBatch([1, 2, 3, 4, 5, 6, 7, 8, 9], pool.run, { concurrency: 2 })) results.push(r);
    } finally {
      await pool.close();
    }
    expect(results).toHaveLength(9);
    const byInput = new Map(results.map((r) => [r.input, r]));
    for (const n of [1, 2, 5, 6, 7, 8]) {
      const r = byInput.get(n)!;
      expect(r.ok && r.value.value).toBe(n * n * 10);
    }
    const three = byInput.get(3)!;
    const four = byInput.get(4)!;
    expect(!three.ok && three.error.code).toBe('CORE_TRUNCATED');
    expect(!three.ok && three.error.file).toBe('f3.dcm');
    expect(!three.ok && three.error.message).toBe('f3.dcm: cut short');
    // A message that names its file already names it once, not twice.
    const nine = byInput.get(9)!;
    expect(!nine.ok && [nine.error.code, nine.error.file, nine.error.message]).toEqual(['CORE_TRUNCATED', 'f9.dcm', 'f9.dcm: cut short']);
    expect(!four.ok && four.error.code).toBe('BATCH_TASK_FAILED');
    const threads = new Set(results.flatMap((r) => (r.ok ? [r.value.threadId] : [])));
    expect(threads.has(threadId)).toBe(false); // not this thread
    expect(threads.size).toBe(2); // both workers did work
  });

  it('fails every call with a clear error when the export is missing', async () => {
    const pool = createWorkerPool<number, number>({ module: moduleUrl, exportName: 'nothing', size: 1 });
    try {
      await expect(pool.run(1, { signal: new AbortController().signal })).rejects.toMatchObject({ code: 'BATCH_TASK_FAILED', message: expect.stringContaining('nothing') as unknown });
    } finally {
      await pool.close();
    }
  });
});
