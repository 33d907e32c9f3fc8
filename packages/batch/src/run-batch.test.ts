import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { createTar } from 'nanotar';
import { DicomError, isDicomError } from '@dicom-tools/core';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { createBatchReport, expandInputs, runBatch, type BatchInput, type BatchResult, type SkippedInput } from './index.js';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('runBatch', () => {
  it('yields one result per input and keeps going after a failing item', async () => {
    const results = await collect(runBatch([1, 2, 3, 4, 5], async (n) => {
      await sleep(10);
      if (n === 2) throw new DicomError('CORE_TRUNCATED', 'cut short');
      return n * 10;
    }, { concurrency: 2 }));
    expect(results).toHaveLength(5);
    const byInput = new Map(results.map((r) => [r.input, r]));
    expect(byInput.get(2)).toMatchObject({ ok: false });
    expect((byInput.get(2) as Extract<BatchResult<number, number>, { ok: false }>).error.code).toBe('CORE_TRUNCATED');
    for (const n of [1, 3, 4, 5]) expect(byInput.get(n)).toMatchObject({ ok: true, value: n * 10 });
    // Every task slept 10 ms before returning or throwing, so each duration covers that sleep (timers may fire
    // up to a millisecond early against performance.now()).
    for (const r of results) expect(r.durationMs).toBeGreaterThan(8);
  });

  it('never runs more than `concurrency` tasks at once', async () => {
    let running = 0;
    let peak = 0;
    await collect(runBatch(Array.from({ length: 20 }, (_, i) => i), async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(2);
      running--;
    }, { concurrency: 3 }));
    expect(peak).toBe(3);
  });

  it('wraps an error that is not a DicomError as BATCH_TASK_FAILED with the original as cause', async () => {
    const original = new TypeError('boom');
    const [result] = await collect(runBatch(['a'], () => Promise.reject(original), { concurrency: 1 }));
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) return;
    expect(isDicomError(result.error, 'BATCH_TASK_FAILED')).toBe(true);
    expect(result.error.cause).toBe(original);
  });

  it('on abort starts nothing new but finishes and yields the items in flight', async () => {
    const controller = new AbortController();
    const startedItems: number[] = [];
    const finishedItems: number[] = [];
    const results = await collect(runBatch(Array.from({ length: 50 }, (_, i) => i), async (n) => {
      startedItems.push(n);
      if (n === 4) controller.abort();
      await sleep(5);
      finishedItems.push(n);
      return n;
    }, { concurrency: 4, signal: controller.signal }));
    // Every item that started ran to completion and was yielded; nothing started after the abort.
    expect(finishedItems.sort((a, b) => a - b)).toEqual(startedItems.sort((a, b) => a - b));
    expect(results.map((r) => r.input).sort((a, b) => a - b)).toEqual(startedItems);
    expect(startedItems.length).toBeLessThan(50);
    expect(startedItems).toContain(4);
    expect(Math.max(...startedItems)).toBeLessThanOrEqual(4 + 3);
  });

  it('takes inputs lazily from an async iterable, never more than `concurrency` ahead', async () => {
    let pulled = 0;
    let maxAhead = 0;
    let finished = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 12; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield i;
      }
    }
    const results = await collect(runBatch(source(), async (n) => {
      await sleep(1);
      finished++;
      return n;
    }, { concurrency: 2 }));
    expect(results).toHaveLength(12);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('reports progress after every item, ending at done = started = total', async () => {
    const seen: { done: number; failed: number; started: number }[] = [];
    await collect(runBatch([1, 2, 3], (n) => (n === 3 ? Promise.reject(new Error('x')) : Promise.resolve(n)), {
      concurrency: 1,
      onProgress: (p) => seen.push({ done: p.done, failed: p.failed, started: p.started }),
    }));
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(seen.at(-1)).toEqual({ done: 3, failed: 1, started: 3 });
  });

  it('rejects a concurrency that is not a whole number >= 1', async () => {
    await expect(collect(runBatch([1], () => Promise.resolve(1), { concurrency: 0 }))).rejects.toThrow(/concurrency/);
  });
});

describe('expandInputs and createBatchReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batch-inputs-'));
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await copyFile(corpusFile('CT_small.dcm'), join(dir, 'a', 'ct.dcm'));
    await copyFile(corpusFile('MR_small.dcm'), join(dir, 'a', 'b', 'mr'));
    await copyFile(corpusFile('MR_truncated.dcm'), join(dir, 'truncated.dcm'));
    await writeFile(join(dir, 'notes.txt'), 'not DICOM at all\n'.repeat(20));
    await writeFile(join(dir, 'DICOMDIR'), new Uint8Array(200));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds DICOM files by content in a folder tree and reports every other file with a reason', async () => {
    const skipped: SkippedInput[] = [];
    const found = await collect(expandInputs([dir, join(dir, 'missing.dcm')], { onSkipped: (s) => skipped.push(s) }));
    expect(found.map((f) => f.relativePath).sort()).toEqual(['a/b/mr', 'a/ct.dcm', 'truncated.dcm']);
    expect(found.every((f) => f.root === dir)).toBe(true);
    const reasons = new Map(skipped.map((s) => [s.path, s.reason]));
    expect(reasons.get(join(dir, 'notes.txt'))).toMatch(/^not DICOM/);
    expect(reasons.get(join(dir, 'DICOMDIR'))).toMatch(/^DICOMDIR/);
    expect(reasons.get(join(dir, 'missing.dcm'))).toBe('no such file or folder');
    expect(skipped).toHaveLength(3);
  });

  it('expands a glob pattern relative to its static folders, and reports a pattern that matches nothing', async () => {
    const skipped: SkippedInput[] = [];
    const found = await collect(expandInputs([`${dir}/a/**/*`, `${dir}/*.dcm`, `${dir}/nothing-*.dcm`], { onSkipped: (s) => skipped.push(s) }));
    expect(found.map((f) => [f.root, f.relativePath])).toEqual([[`${dir}/a`, 'b/mr'], [`${dir}/a`, 'ct.dcm'], [dir, 'truncated.dcm']]);
    expect(skipped).toEqual([{ path: `${dir}/nothing-*.dcm`, reason: 'no file matches the pattern' }]);
  });

  it('reads the DICOM members of .zip and .tar.gz archives in memory and reports the other members', async () => {
    const ct = new Uint8Array(await readFile(corpusFile('CT_small.dcm')));
    const mr = new Uint8Array(await readFile(corpusFile('MR_small.dcm')));
    const text = new TextEncoder().encode('hello, not DICOM\n'.repeat(10));
    const box = join(dir, 'archives');
    await mkdir(box, { recursive: true });
    await writeFile(join(box, 'a.zip'), zipSync({ 'x/ct.dcm': ct, 'readme.txt': text, 'DICOMDIR': ct }));
    await writeFile(join(box, 'b.tar.gz'), gzipSync(createTar([{ name: 'mr.dcm', data: mr }, { name: 'sub/../../escape.dcm', data: ct }])));
    await writeFile(join(box, 'c.zip'), 'not a zip at all');
    const skipped: SkippedInput[] = [];
    const found = await collect(expandInputs([box], { onSkipped: (s) => skipped.push(s) }));
    // zip members sorted by name; tar members streamed in archive order; `..` parts dropped.
    expect(found.map((f) => f.relativePath)).toEqual(['a.zip/x/ct.dcm', 'b.tar.gz/mr.dcm', 'b.tar.gz/sub/escape.dcm']);
    expect(Buffer.from(found[0]!.bytes!).equals(Buffer.from(ct))).toBe(true);
    expect(Buffer.from(found[1]!.bytes!).equals(Buffer.from(mr))).toBe(true);
    expect(Buffer.from(found[2]!.bytes!).equals(Buffer.from(ct))).toBe(true);
    expect(found[0]!.path).toBe(join(box, 'a.zip', 'x', 'ct.dcm'));
    const reasons = Object.fromEntries(skipped.map((s) => [relative(box, s.path), s.reason.replace(/:.*/, '')]));
    expect(reasons).toEqual({ 'a.zip/DICOMDIR': 'DICOMDIR', 'a.zip/readme.txt': 'not DICOM', 'c.zip': 'unreadable archive' });
    expect((await collect(expandInputs([box], { archives: false, onSkipped: () => undefined })))).toEqual([]);
    await rm(box, { recursive: true });
  });

  it('with examineUntil aborted, lists the rest of the walk in order without reading it: files not known to be DICOM, archives whole', async () => {
    const tree = join(dir, 'interrupted');
    await mkdir(join(tree, 'sub'), { recursive: true });
    await copyFile(corpusFile('CT_small.dcm'), join(tree, '1.dcm'));
    await copyFile(corpusFile('MR_small.dcm'), join(tree, '2.dcm'));
    await writeFile(join(tree, '3.txt'), 'not DICOM at all\n'.repeat(20));
    await writeFile(join(tree, '4.zip'), zipSync({ 'ct.dcm': new Uint8Array(await readFile(corpusFile('CT_small.dcm'))) }));
    await writeFile(join(tree, 'DICOMDIR'), new Uint8Array(200));
    await copyFile(corpusFile('CT_small.dcm'), join(tree, 'sub', '5.dcm'));
    const everything = await collect(expandInputs([tree], { onSkipped: () => undefined }));
    expect(everything.map((f) => f.relativePath)).toEqual(['1.dcm', '2.dcm', '4.zip/ct.dcm', 'sub/5.dcm']);

    // Interrupted once the first file is taken: the walk goes on after it, reading nothing more.
    const stop = new AbortController();
    const skipped: SkippedInput[] = [];
    const found: BatchInput[] = [];
    for await (const input of expandInputs([tree], { onSkipped: (s) => skipped.push(s), examineUntil: stop.signal })) {
      found.push(input);
      stop.abort();
    }
    expect(found.map((f) => [f.relativePath, f.unexamined === true])).toEqual([
      ['1.dcm', false], ['2.dcm', true], ['3.txt', true], ['4.zip', true], ['sub/5.dcm', true],
    ]);
    // The text file was not read (it would be "not DICOM"); a skip by name stays a skip.
    expect(skipped).toEqual([{ path: join(tree, 'DICOMDIR'), reason: 'DICOMDIR' }]);

    // Interrupted inside an archive: the members not read yet stand as the archive itself.
    const inside = new AbortController();
    const fromArchive: BatchInput[] = [];
    for await (const input of expandInputs([tree], { onSkipped: () => undefined, examineUntil: inside.signal })) {
      fromArchive.push(input);
      if (input.relativePath === '4.zip/ct.dcm') inside.abort();
    }
    expect(fromArchive.map((f) => [f.relativePath, f.unexamined === true])).toEqual([
      ['1.dcm', false], ['2.dcm', false], ['4.zip/ct.dcm', false], ['4.zip', true], ['sub/5.dcm', true],
    ]);

    // Already aborted: nothing is read at all, files and patterns alike.
    const before = await collect(expandInputs([tree, `${tree}/sub/*.dcm`], { onSkipped: () => undefined, examineUntil: AbortSignal.abort() }));
    // (sub/5.dcm once: the pattern lists it again, and a file is taken once.)
    expect(before.map((f) => f.relativePath)).toEqual(['1.dcm', '2.dcm', '3.txt', '4.zip', 'sub/5.dcm']);
    expect(before.every((f) => f.unexamined === true)).toBe(true);
    await rm(tree, { recursive: true });
  });

  it('takes a file given directly relative to its own folder', async () => {
    const found = await collect(expandInputs([join(dir, 'a', 'ct.dcm')]));
    expect(found).toEqual([{ path: join(dir, 'a', 'ct.dcm'), root: join(dir, 'a'), relativePath: 'ct.dcm' }]);
  });

  it('takes a file given twice, or by two names (a symbolic link), once: the repeats are skipped as the same file', async () => {
    const file = join(dir, 'a', 'ct.dcm');
    const link = join(dir, 'link-to-ct.dcm');
    await symlink(file, link);
    const skipped: { path: string; reason: string }[] = [];
    const found = await collect(expandInputs([file, file, link], { onSkipped: (s) => skipped.push(s) }));
    expect(found.map((f) => f.path)).toEqual([file]);
    expect(skipped).toEqual([{ path: file, reason: `same file as ${file}` }, { path: link, reason: `same file as ${file}` }]);
    await rm(link);
  });

  it('takes each file once when inputs overlap (a folder and a folder inside it): the repeats are skipped as the same file', async () => {
    const all = await collect(expandInputs([dir], { onSkipped: () => undefined }));
    const skipped: { path: string; reason: string }[] = [];
    const found = await collect(expandInputs([dir, join(dir, 'a')], { onSkipped: (s) => skipped.push(s) }));
    expect(found.map((f) => f.path)).toEqual(all.map((f) => f.path));
    const inner = all.filter((f) => f.path.startsWith(join(dir, 'a') + sep));
    expect(inner.length).toBeGreaterThan(0);
    expect(skipped.filter((s) => s.reason.startsWith('same file as')).map((s) => s.path).sort()).toEqual(inner.map((f) => f.path).sort());
  });

  it('builds a report whose counts and per-file statuses match the results and skips', async () => {
    const report = createBatchReport('test');
    const results = await collect(runBatch(expandInputs([dir], { onSkipped: (s) => report.skip(s.path, s.reason) }), async (input) => {
      if (input.relativePath === 'truncated.dcm') throw new DicomError('CORE_TRUNCATED', 'cut');
      return `${input.relativePath}.out`;
    }, { concurrency: 2 }));
    for (const r of results) report.add(r, (value) => ({ output: value }));
    const built = report.build();
    expect(built.counts).toEqual({ processed: 3, ok: 2, failed: 1, skipped: 2 });
    expect(built.cancelled).toBe(false);
    expect(built.operation).toBe('test');
    expect(built.files.map((f) => f.input)).toEqual([...built.files.map((f) => f.input)].sort());
    expect(built.files.find((f) => f.input === join(dir, 'truncated.dcm'))).toMatchObject({ status: 'failed', error: { code: 'CORE_TRUNCATED' } });
    expect(built.files.find((f) => f.input === join(dir, 'a', 'ct.dcm'))).toMatchObject({ status: 'ok', output: 'a/ct.dcm.out' });
    expect(JSON.parse(JSON.stringify(built))).toEqual(built);
  });

  it('lists inputs never started by a cancelled batch as cancelled, apart from the skipped ones', () => {
    const report = createBatchReport('test');
    report.add({ ok: true, input: { path: 'a' }, value: 1, durationMs: 1 });
    report.skip('b', 'not DICOM');
    report.cancel('c');
    report.cancel('d', 'stopped');
    const built = report.build({ cancelled: true });
    expect(built.cancelled).toBe(true);
    expect(built.counts).toEqual({ processed: 1, ok: 1, failed: 0, skipped: 1, cancelled: 2 });
    expect(built.files.filter((f) => f.status === 'cancelled').map((f) => [f.input, 'reason' in f ? f.reason : ''])).toEqual([['c', expect.stringMatching(/interrupted/)], ['d', 'stopped']]);
    expect(createBatchReport('x').build({ cancelled: true }).counts.cancelled).toBe(0); // present whenever cancelled
  });
});
