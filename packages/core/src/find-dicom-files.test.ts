import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { classifyDicomBytes, classifyWalkedFile, createDataset, findDicomFiles, readDicom, TransferSyntax, walkFiles, writeDicom } from './index.js';
import type { DicomFile, FoundFile } from './index.js';

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A minimal DICOMDIR: Part 10 with Media Storage SOP Class 1.2.840.10008.1.3.10 and an empty record list. */
function dicomdirBytes(): Uint8Array {
  const file: DicomFile = {
    meta: createDataset([
      { tag: 0x00020002, vr: 'UI', value: [DICOMDIR_SOP_CLASS] },
      { tag: 0x00020003, vr: 'UI', value: ['2.25.1'] },
    ]),
    dataset: createDataset([
      { tag: 0x00041130, vr: 'CS', value: ['TESTSET'] },
      { tag: 0x00041200, vr: 'UL', value: [0] },
      { tag: 0x00041202, vr: 'UL', value: [0] },
      { tag: 0x00041212, vr: 'US', value: [0] },
      { tag: 0x00041220, vr: 'SQ', value: [] },
    ]),
    transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian,
    hadPreamble: true,
  };
  return writeDicom(file);
}

/** The data set of a Part 10 file without preamble and file meta: the bytes after the group 0002 elements. */
function stripMeta(part10: Uint8Array): Uint8Array {
  const view = new DataView(part10.buffer, part10.byteOffset, part10.byteLength);
  const groupLength = view.getUint32(140, true); // (0002,0000) UL, right after DICM
  return part10.subarray(144 + groupLength);
}

/** rtstruct.dcm (a bare implicit VR data set) with a 100 KB Text Value added, so its header outgrows 64 KiB. */
function bigBareBytes(): Uint8Array {
  const rt = readDicom(readFileSync(corpusFile('rtstruct.dcm')));
  const elements = new Map(rt.dataset.elements);
  elements.set(0x0040a160, { tag: 0x0040a160, vr: 'UT', value: ['x'.repeat(100_000)] });
  return stripMeta(writeDicom({ ...rt, dataset: { elements } }, { transferSyntaxUID: TransferSyntax.ImplicitVRLittleEndian }));
}

/** One implicit VR little endian element (PS3.5 7.1.3): group, element, 32-bit length, then the value. */
function implicitElement(tag: number, value: Uint8Array, declaredLength = value.length): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  view.setUint32(4, declaredLength, true);
  out.set(value, 8);
  return out;
}

/**
 * A bare implicit VR data set whose first 65,536 bytes (the 64 KiB head findDicomFiles offers the reader) end
 * exactly between two elements, followed by `rest`.
 */
function cutAtBoundary(rest: Uint8Array): Uint8Array {
  const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
  const head = [
    implicitElement(0x00080016, ascii('1.2.840.10008.5.1.4.1.1.7\0')), // SOP Class UID, 25 chars + NUL pad
    implicitElement(0x00080018, ascii('2.25.1')),
    implicitElement(0x00100010, ascii('Test^Bare ')),
  ];
  const used = head.reduce((n, e) => n + e.length, 0);
  head.push(implicitElement(0x00104000, new Uint8Array(65_536 - used - 8).fill(0x41))); // Patient Comments (LT) filler
  const bytes = new Uint8Array(65_536 + rest.length);
  let at = 0;
  for (const e of head) {
    bytes.set(e, at);
    at += e.length;
  }
  if (at !== 65_536) throw new Error(`test data: head is ${at} bytes`);
  bytes.set(rest, at);
  return bytes;
}

async function collect(root: string, options: Parameters<typeof findDicomFiles>[1] = {}): Promise<FoundFile[]> {
  const out: FoundFile[] = [];
  for await (const found of findDicomFiles(root, options)) out.push(found);
  return out;
}

/** Results with paths relative to `root`, in a form easy to compare. */
function summary(root: string, found: readonly FoundFile[]): string[] {
  return found.map((f) => {
    const rel = f.path.slice(root.length + 1);
    return f.skipped ? `${rel} skipped: ${f.reason.replace(root + '/', '')}` : `${rel} ${f.kind}${f.dicomdir ? ' dicomdir' : ''}`;
  });
}

describe('findDicomFiles', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'find-dicom-files-'));
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    copyFileSync(corpusFile('CT_small.dcm'), join(root, 'a', 'ct.dcm'));
    copyFileSync(corpusFile('MR_small.dcm'), join(root, 'a', 'b', 'mr.dcm'));
    copyFileSync(corpusFile('rtstruct.dcm'), join(root, 'bare-rtstruct'));
    writeFileSync(join(root, 'bare-ct.raw'), stripMeta(readFileSync(corpusFile('CT_small.dcm'))));
    writeFileSync(join(root, 'bare-big'), bigBareBytes());
    writeFileSync(join(root, 'notes.txt'), 'not an image\n');
    writeFileSync(join(root, 'zeros.bin'), new Uint8Array(4096));
    writeFileSync(join(root, 'empty.dcm'), new Uint8Array(0));
    writeFileSync(join(root, 'DICOMDIR'), dicomdirBytes());
    writeFileSync(join(root, 'a', 'index.dir'), dicomdirBytes());
    symlinkSync(join(root, 'a', 'ct.dcm'), join(root, 'link-to-ct.dcm'));
    symlinkSync('..', join(root, 'a', 'b', 'up')); // a/b/up -> a: a loop
    symlinkSync(join(root, 'a', 'b'), join(root, 'alias-of-b'));
    symlinkSync(join(root, 'nowhere'), join(root, 'broken-link'));
    const fifo = spawnSync('mkfifo', [join(root, 'pipe')]);
    if (fifo.status !== 0) throw new Error(`mkfifo failed: ${fifo.stderr?.toString() ?? fifo.error?.message}`);
    // Root reads every file whatever its mode, so the permission case exists only when not running as root.
    if (!asRoot) {
      copyFileSync(corpusFile('CT_small.dcm'), join(root, 'locked.dcm'));
      chmodSync(join(root, 'locked.dcm'), 0o000);
    }
  });

  afterAll(() => {
    if (!asRoot) chmodSync(join(root, 'locked.dcm'), 0o600);
    rmSync(root, { recursive: true, force: true });
  });

  it('walks the tree depth first in name order, recognising DICOM by content and skipping the rest with a reason', async () => {
    const expected = [
      'DICOMDIR skipped: DICOMDIR',
      'a/b/mr.dcm part10',
      'a/b/up skipped: symbolic link loop',
      'a/ct.dcm part10',
      'a/index.dir skipped: DICOMDIR',
      'alias-of-b skipped: already visited',
      'bare-big bare',
      'bare-ct.raw bare',
      'bare-rtstruct bare',
      'broken-link skipped: unreadable: broken symbolic link',
      'empty.dcm skipped: empty',
      'link-to-ct.dcm skipped: same file as a/ct.dcm',
      ...(asRoot ? [] : ['locked.dcm skipped: unreadable: permission denied']),
      'notes.txt skipped: not DICOM',
      'pipe skipped: not a regular file',
      'zeros.bin skipped: not DICOM',
    ];
    expect(summary(root, await collect(root))).toEqual(expected);
  });

  it('reports DICOMDIR files, by name and by Media Storage SOP Class, when includeDicomdir is set', async () => {
    const found = summary(root, await collect(root, { includeDicomdir: true }));
    expect(found.filter((line) => line.includes('dicomdir'))).toEqual(['DICOMDIR part10 dicomdir', 'a/index.dir part10 dicomdir']);
  });

  it('stays in the folder itself when recursive is false', async () => {
    const found = summary(root, await collect(root, { recursive: false }));
    expect(found.some((line) => line.startsWith('a/') || line.startsWith('alias-of-b'))).toBe(false);
    expect(found).toContain('bare-rtstruct bare');
    // The link to a/ct.dcm is now the first path to that file.
    expect(found).toContain('link-to-ct.dcm part10');
  });

  it('gives the same sequence on every run', async () => {
    expect(await collect(root)).toEqual(await collect(root));
  });

  it('gives the same results through walkFiles and classifyDicomBytes of each whole file, whatever the options', async () => {
    const viaWalk = (from: string, options: Parameters<typeof walkFiles>[1] = {}): FoundFile[] =>
      [...walkFiles(from, options)].map((f) => (f.skipped ? f : classifyDicomBytes(f.path, readFileSync(f.path), options)));
    for (const options of [{}, { includeDicomdir: true }, { recursive: false }]) expect(viaWalk(root, options)).toEqual(await collect(root, options));
    // classifyWalkedFile, which reads only each file's start, against classifyDicomBytes of the whole file.
    for (const options of [{}, { includeDicomdir: true }]) {
      const classified: FoundFile[] = [];
      for (const f of walkFiles(root, options)) classified.push(f.skipped ? f : await classifyWalkedFile(f, options));
      expect(classified).toEqual(viaWalk(root, options));
    }
    expect(viaWalk(join(root, 'a', 'ct.dcm'))).toEqual(await collect(join(root, 'a', 'ct.dcm')));
    expect(() => [...walkFiles(join(root, 'missing'))]).toThrow(expect.objectContaining({ code: 'CORE_IO' }));
    expect(() => [...walkFiles(root, { signal: AbortSignal.abort() })]).toThrow(expect.objectContaining({ code: 'CORE_ABORTED' }));
  });

  it('classifies a single file given as the root', async () => {
    expect(await collect(join(root, 'a', 'ct.dcm'))).toEqual([{ path: join(root, 'a', 'ct.dcm'), skipped: false, kind: 'part10', dicomdir: false }]);
    expect(await collect(join(root, 'notes.txt'))).toEqual([{ path: join(root, 'notes.txt'), skipped: true, reason: 'not DICOM' }]);
  });

  it('judges a bare data set by its whole header when the 64 KiB head ends exactly between two elements', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'find-dicom-files-cut-'));
    try {
      // After the cut: a well-formed element, nothing, or an element declaring ~16 MB in a file 65,556 bytes long.
      writeFileSync(join(dir, 'continues'), cutAtBoundary(implicitElement(0x0020000d, new TextEncoder().encode('2.25.2'))));
      writeFileSync(join(dir, 'ends-at-cut'), cutAtBoundary(new Uint8Array(0)));
      writeFileSync(join(dir, 'overruns'), cutAtBoundary(implicitElement(0x0020000d, new Uint8Array(12), 0x00fffff0)));
      expect(summary(dir, await collect(dir))).toEqual(['continues bare', 'ends-at-cut bare', 'overruns skipped: not DICOM']);
      expect([...walkFiles(dir)].map((f) => (f.skipped ? f : classifyDicomBytes(f.path, readFileSync(f.path))))).toEqual(await collect(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws CORE_IO when the root does not exist', async () => {
    await expect(collect(join(root, 'missing'))).rejects.toMatchObject({ code: 'CORE_IO' });
  });

  it('throws CORE_ABORTED when the signal is aborted, before or during the walk', async () => {
    await expect(collect(root, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CORE_ABORTED' });
    const controller = new AbortController();
    const seen: FoundFile[] = [];
    const walk = (async () => {
      for await (const found of findDicomFiles(root, { signal: controller.signal })) {
        seen.push(found);
        controller.abort();
      }
    })();
    await expect(walk).rejects.toMatchObject({ code: 'CORE_ABORTED' });
    expect(seen).toHaveLength(1);
  });
});
