// writeFileAtomic with its bytes given as parts: the file is the parts end to end, written through a temporary file
// and a rename like a single array. Expected contents are the parts' own bytes joined.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicomError, writeFileAtomic } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dicom-tools-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

describe('writeFileAtomic with parts', () => {
  it('writes the parts end to end, empty parts included, over an old file, leaving no temporary file', async () => {
    const path = join(dir, 'out.bin');
    writeFileSync(path, 'old contents that are longer than the new ones');
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const parts = [Uint8Array.of(1, 2, 3), new Uint8Array(0), big.subarray(5), Uint8Array.of(0xfe)];
    await writeFileAtomic(path, parts);
    expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('writes no parts as an empty file, and one array as before', async () => {
    await writeFileAtomic(join(dir, 'empty.bin'), []);
    expect(readFileSync(join(dir, 'empty.bin')).length).toBe(0);
    await writeFileAtomic(join(dir, 'one.bin'), Uint8Array.of(4, 5));
    expect([...readFileSync(join(dir, 'one.bin'))]).toEqual([4, 5]);
  });

  it('fails with CORE_IO naming the path into a folder that does not exist', async () => {
    const path = join(dir, 'missing', 'out.bin');
    const error = await failure(writeFileAtomic(path, [Uint8Array.of(1), Uint8Array.of(2)]));
    expect(isDicomError(error, 'CORE_IO')).toBe(true);
    expect((error as { file?: string }).file).toBe(path);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with CORE_ABORTED on an aborted signal, leaving the old file as it was', async () => {
    const path = join(dir, 'out.bin');
    writeFileSync(path, 'old');
    const controller = new AbortController();
    controller.abort();
    const error = await failure(writeFileAtomic(path, [Uint8Array.of(1), Uint8Array.of(2)], controller.signal));
    expect(isDicomError(error, 'CORE_ABORTED')).toBe(true);
    expect(readFileSync(path, 'latin1')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });
});
