// readDicomFile (fs/promises) and readDicomFileSync (blocking): the same result as readDicom on the file's bytes,
// header-only reads that grow past their first read, and every I/O failure as CORE_IO naming the file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { corpusFile, corpusFiles, CORPUS_REJECTS, fixtureFiles } from '@dicom-tools/test-fixtures';
import { isDicomError, readDicom, readDicomFile, readDicomFileSync, Tags, TransferSyntax, writeDicom, type DicomFile } from './index.js';

const READABLE = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined);

/** Whether two reads gave the same file (node:util's comparison: fast on large byte values, unlike toEqual). */
function same(a: DicomFile, b: DicomFile): boolean {
  return isDeepStrictEqual(a, b);
}

/** The tags of a data set in file order, up to (not including) pixel data. */
function tagsBeforePixels(file: DicomFile): number[] {
  return [...file.dataset.elements.keys()].filter((tag) => tag < 0x7fe00008);
}

/** What `run` throws (fails the test when it returns). */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/**
 * A Part 10 file whose element after a private OB filler starts exactly at byte `at` of the file, so that a
 * header-only read of `at` bytes ends exactly between two elements.
 */
function headerWithBoundaryAt(at: number): Uint8Array {
  const base = fixtureFiles('ctSlice')[0]!;
  const make = (fill: number): Uint8Array => {
    const elements = new Map(base.dataset.elements);
    elements.set(0x00090010, { tag: 0x00090010, vr: 'LO', value: ['FILLER'] });
    elements.set(0x00091001, { tag: 0x00091001, vr: 'OB', value: new Uint8Array(fill) });
    return writeDicom({ ...base, dataset: { elements } }, { transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian });
  };
  const probeFill = at + 8192;
  const probe = Buffer.from(make(probeFill));
  // (0009,1001) OB: tag, VR, 2 reserved bytes and a 32-bit length (12 bytes), then the filler.
  const fillerEnd = probe.indexOf(Buffer.from([0x09, 0x00, 0x01, 0x10, 0x4f, 0x42])) + 12 + probeFill;
  const bytes = make(probeFill - (fillerEnd - at));
  const next = Buffer.from(bytes.subarray(at, at + 2)).readUInt16LE(0);
  if (next <= 0x0009) throw new Error(`test data: no later group starts at byte ${at}`);
  return bytes;
}

describe('readDicomFileSync and readDicomFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-dicom-file-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('read every readable corpus file as readDicom reads its bytes, whole and header-only', async () => {
    for (const name of READABLE) {
      const path = corpusFile(name);
      const whole = readDicom(readFileSync(path));
      expect({ name, same: same(readDicomFileSync(path), whole) }).toEqual({ name, same: true });
      expect({ name, same: same(await readDicomFile(path), whole) }).toEqual({ name, same: true });
      const sync = readDicomFileSync(path, { stopBeforePixelData: true });
      const async = await readDicomFile(path, { stopBeforePixelData: true });
      expect({ name, tags: [...sync.dataset.elements.keys()] }).toEqual({ name, tags: tagsBeforePixels(whole) });
      expect({ name, same: same(async, sync) }).toEqual({ name, same: true });
    }
  });

  it('read a header that ends exactly where a read of 16 KiB or 64 KiB ends, and read more', async () => {
    for (const at of [16 * 1024, 64 * 1024]) {
      const bytes = headerWithBoundaryAt(at);
      const path = join(dir, `boundary-${at}.dcm`);
      writeFileSync(path, bytes);
      const expected = tagsBeforePixels(readDicom(bytes));
      expect(expected).toContain(Tags.Rows); // (0028,0010) lies after the boundary
      expect([...readDicomFileSync(path, { stopBeforePixelData: true }).dataset.elements.keys()]).toEqual(expected);
      expect([...(await readDicomFile(path, { stopBeforePixelData: true })).dataset.elements.keys()]).toEqual(expected);
    }
  });

  it('read header-only a file with no pixel data that is larger than several first reads (waveform_ecg.dcm)', async () => {
    const path = corpusFile('waveform_ecg.dcm');
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThan(256 * 1024);
    const whole = readDicom(readFileSync(path));
    expect(same(readDicomFileSync(path, { stopBeforePixelData: true }), whole)).toBe(true);
    expect(same(await readDicomFile(path, { stopBeforePixelData: true }), whole)).toBe(true);
  });

  it('read header-only a file whose pixel data is cut (MR_truncated.dcm)', async () => {
    const path = corpusFile('MR_truncated.dcm');
    expect(readDicomFileSync(path, { stopBeforePixelData: true }).dataset.elements.get(Tags.Rows)?.value).toEqual([64]);
    expect(isDicomError(await failure(() => readDicomFileSync(path)), 'CORE_TRUNCATED')).toBe(true);
  });

  it('fail with CORE_NOT_DICOM for an empty file, whole and header-only', async () => {
    const path = join(dir, 'empty.dcm');
    writeFileSync(path, new Uint8Array(0));
    for (const options of [{}, { stopBeforePixelData: true }]) {
      expect(await failure(() => readDicomFileSync(path, options))).toMatchObject({ code: 'CORE_NOT_DICOM', file: path });
      expect(await failure(() => readDicomFile(path, options))).toMatchObject({ code: 'CORE_NOT_DICOM', file: path });
    }
  });

  it('fail with CORE_IO naming the file for a missing file and for a directory, whole and header-only', async () => {
    const missing = join(dir, 'missing.dcm');
    const folder = join(dir, 'a-folder.dcm');
    mkdirSync(folder);
    for (const options of [{}, { stopBeforePixelData: true }]) {
      for (const [path, reason] of [[missing, /no such file/], [folder, /is a directory/]] as const) {
        for (const error of [await failure(() => readDicomFileSync(path, options)), await failure(() => readDicomFile(path, options))]) {
          expect(error).toMatchObject({ code: 'CORE_IO', file: path });
          expect((error as Error).message).toMatch(reason);
        }
      }
    }
  });

  it('fail at once with CORE_IO for a FIFO (whose open would wait for a writer) and a device that never ends (/dev/zero)', async () => {
    const fifo = join(dir, 'pipe.dcm');
    execFileSync('mkfifo', [fifo]);
    for (const options of [{}, { stopBeforePixelData: true }]) {
      for (const path of [fifo, '/dev/zero']) {
        for (const error of [await failure(() => readDicomFileSync(path, options)), await failure(() => readDicomFile(path, options))]) {
          expect(error).toMatchObject({ code: 'CORE_IO', file: path });
          expect((error as Error).message).toMatch(/not a regular file/);
        }
      }
    }
  });
});
