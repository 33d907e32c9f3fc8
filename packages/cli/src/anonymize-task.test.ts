// The anonymize task as one thread runs it (createAnonymizer): reads and writes on libuv's thread pool with several
// files in flight and pooled read buffers, the anonymizing one file at a time in order. Each output must be what
// @dicom-tools/anonymize makes of the file's bytes, whatever the number in flight (files in flight must not see each
// other's buffers), the UID pairs a file reports must follow the order of the files, and failures name the file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonymizeBytes } from '@dicom-tools/anonymize';
import { writeDicom } from '@dicom-tools/core';
import { corpusFile, ctSeries } from '@dicom-tools/test-fixtures';
import { createAnonymizeTaskState, createAnonymizer, type AnonymizeJobResult, type AnonymizeSetup } from './_anonymize-task.js';

const setup: AnonymizeSetup = { secret: 'task test', profile: 'basic', options: [], collectUids: true, fullReports: false, dryRun: false };

let dir: string;
let inputs: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dicom-tools-anon-task-'));
  // Files of different sizes (pooled buffers get reused for larger and smaller files) and transfer syntaxes.
  inputs = ctSeries().slice(0, 4).map((file, i) => {
    const path = join(dir, `ct${i}.dcm`);
    writeFileSync(path, writeDicom(file));
    return path;
  });
  for (const name of ['MR_small.dcm', 'image_dfl.dcm', 'JPEG2000.dcm', 'CT_small.dcm', 'nested_priv_SQ.dcm']) inputs.push(corpusFile(name));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the library makes of each input, in order, with one UID map: the bytes, and the UID pairs new at each file. */
function expected(paths: readonly string[]): { bytes: Buffer; pairs: [string, string][] }[] {
  const uidMap = new Map<string, string>();
  return paths.map((path) => {
    const before = new Set(uidMap.keys());
    const result = anonymizeBytes(readFileSync(path), { secret: setup.secret, profile: 'basic', options: [], uidMap });
    return { bytes: Buffer.concat(result.chunks), pairs: [...uidMap].filter(([original]) => !before.has(original)) };
  });
}

describe('the anonymize task of one thread', () => {
  test.each([
    [1, undefined],
    [2, undefined],
    [3, undefined],
    [100, undefined],
    [100, 1], // a read budget of one byte: one file held at a time, the others wait their turn
  ])('writes what the library makes of each file, with %i files in flight (read budget %p)', async (depth, budget) => {
    const order = [...inputs, ...inputs.slice().reverse()];
    const want = expected(order);
    const run = createAnonymizer(createAnonymizeTaskState(setup), budget);
    // As the runner does: the next file starts when an earlier one is done, so read buffers get reused.
    const started: Promise<AnonymizeJobResult>[] = [];
    for (const path of order) {
      if (started.length >= depth) await started[started.length - depth];
      started.push(run({ path, folder: join(dir, `out-${depth}-${budget ?? 'default'}`) }));
    }
    const results = await Promise.all(started);
    for (const [i, result] of results.entries()) {
      expect(result.temp).toBeDefined();
      expect(readFileSync(result.temp!).equals(want[i]!.bytes)).toBe(true);
      expect(result.uids ?? []).toEqual(want[i]!.pairs);
    }
  });

  test('says when each file is anonymized, before its output is written, failed files included', async () => {
    const run = createAnonymizer(createAnonymizeTaskState(setup));
    const events: string[] = [];
    const paths = [inputs[0]!, join(dir, 'not-there.dcm'), inputs[1]!];
    const jobs = paths.map((path, i) => run({ path, folder: join(dir, 'events') }, () => events.push(`anonymized ${i}`)).then(
      () => events.push(`written ${i}`),
      () => events.push(`failed ${i}`),
    ));
    await Promise.all(jobs);
    for (const i of [0, 1, 2]) expect(events).toContain(`anonymized ${i}`);
    expect(events.indexOf('anonymized 0')).toBeLessThan(events.indexOf('written 0'));
    expect(events.indexOf('anonymized 2')).toBeLessThan(events.indexOf('written 2'));
    expect(events).toContain('failed 1');
    // One at a time, in order.
    expect(events.filter((e) => e.startsWith('anonymized'))).toEqual(['anonymized 0', 'anonymized 1', 'anonymized 2']);
  });

  test('holds no more read bytes than its budget: with room for one file, each is read only once the one before is written', async () => {
    const run = createAnonymizer(createAnonymizeTaskState(setup), 1);
    const events: string[] = [];
    await Promise.all(inputs.slice(0, 4).map((path, i) => run({ path, folder: join(dir, 'budget') }, () => events.push(`anonymized ${i}`)).then(() => events.push(`written ${i}`))));
    expect(events).toEqual(['anonymized 0', 'written 0', 'anonymized 1', 'written 1', 'anonymized 2', 'written 2', 'anonymized 3', 'written 3']);
  });

  test('reports a file it cannot read by name and goes on with the others', async () => {
    const run = createAnonymizer(createAnonymizeTaskState(setup));
    const missing = join(dir, 'gone.dcm');
    const outcomes = await Promise.allSettled([inputs[0]!, missing, inputs[1]!].map((path) => run({ path, folder: join(dir, 'missing') })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (outcomes[1] as PromiseRejectedResult).reason as { code: string; message: string };
    expect(error.code).toBe('CORE_IO');
    expect(error.message).toContain(missing);
    expect(readdirSync(join(dir, 'missing'))).toHaveLength(2);
  });

  test('reports a folder it cannot create', async () => {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the output folder should be');
    const run = createAnonymizer(createAnonymizeTaskState(setup));
    await expect(run({ path: inputs[0]!, folder: join(blocked, 'out') })).rejects.toMatchObject({ code: 'CORE_IO' });
    expect(readFileSync(blocked, 'utf8')).toBe('a file where the output folder should be');
  });

  test('passes over what is not DICOM when asked to sniff, and writes nothing for it', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not DICOM at all');
    const run = createAnonymizer(createAnonymizeTaskState(setup));
    const result = await run({ path: text, sniff: true, folder: join(dir, 'sniff') });
    expect(result.skipped).toMatch(/DICOM/);
    expect(result.temp).toBeUndefined();
    expect(readdirSync(dir)).not.toContain('sniff');
  });
});
