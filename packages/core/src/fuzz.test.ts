// Property test of the reader on damaged input: thousands of mutated and truncated copies of the corpus and of
// the synthetic fixtures. readDicom must return or throw a DicomError with a registered code, never anything
// else, never a DicomError wrapping a JavaScript fault (TypeError, RangeError...), and never take long. What it
// returns must also survive writeDicom (or be refused with a DicomError) and read back.
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { corpusFile, corpusFiles, FIXTURE_NAMES, fixtureBytes, fixtureFiles } from '@dicom-tools/test-fixtures';
import { ErrorCodes, isDicomError, readDicom, TransferSyntax, writeDicom, type DicomFile } from './index.js';

const SEED = 20240601;
const RUNS = 10000;
/** A single read (or write and read back) of a file of at most a few hundred kilobytes must take well under this. */
const SLOW_MS = 250;

interface Source {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Offsets that look like explicit VR element headers (a VR at +4): where structure-aware mutations aim. */
  readonly headers: readonly number[];
}

const VR_CODES = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV']);
function headersOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 2) {
    if (VR_CODES.has(String.fromCharCode(bytes[i + 4]!, bytes[i + 5]!))) out.push(i);
  }
  return out;
}
const source = (name: string, bytes: Uint8Array): Source => ({ name, bytes, headers: headersOf(bytes) });

// Every corpus file (readable or not), and every fixture in each syntax that exercises a different path.
const sources: Source[] = [
  ...corpusFiles().map((name) => source(name, new Uint8Array(readFileSync(corpusFile(name))))),
  ...FIXTURE_NAMES.flatMap((name) => {
    const file = fixtureFiles(name)[0]!;
    const syntaxes = file.transferSyntaxUID === TransferSyntax.ExplicitVRLittleEndian
      ? [TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian]
      : [file.transferSyntaxUID];
    return syntaxes.map((syntax) => source(`${name} ${syntax}`, fixtureBytes(file, { transferSyntaxUID: syntax })));
  }),
];

/** Values that make lengths, tags and VRs interesting when written over a file's bytes. */
const INTERESTING_32 = [0, 1, 2, 3, 0x7fffffff, 0xfffffffe, 0xffffffff, 0xe000fffe, 0xe00dfffe, 0xe0ddfffe, 0x10000, 0x00080005, 0x7fe00010];
const INTERESTING_16 = [0, 1, 0xffff, 0xfffe, 0x5153 /* SQ */, 0x4e55 /* UN */, 0x424f /* OB */, 0x5653 /* SV */, 0x564f /* OV */, 0x5455 /* UT */];

/** Offsets are fractions (of 2^20) of the file, biased to the first 4 KiB where the headers are. */
const offset = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4095 }).map((n) => ({ abs: n })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 ** 20 }).map((n) => ({ frac: n / 2 ** 20 })) },
);
type Offset = { abs: number } | { frac: number };

type Mutation =
  | { readonly kind: 'byte' | 'u16' | 'u32'; readonly at: Offset; readonly value: number }
  | { readonly kind: 'delete'; readonly at: Offset; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: Offset; readonly length: number; readonly to: Offset }
  | { readonly kind: 'header'; readonly at: Offset; readonly header: number; readonly field: 'vr' | 'length16' | 'length32'; readonly value: number };
const resolve = (o: Offset, length: number): number => Math.min(length - 1, 'abs' in o ? o.abs : Math.floor(o.frac * length));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: offset, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('u16' as const), at: offset, value: fc.constantFrom(...INTERESTING_16) }),
  fc.record({ kind: fc.constant('u32' as const), at: offset, value: fc.constantFrom(...INTERESTING_32) }),
  fc.record({ kind: fc.constant('delete' as const), at: offset, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: offset, length: fc.integer({ min: 1, max: 512 }), to: offset }),
  // Aimed at an element header: a new VR, or a new 16-bit or 32-bit length (small, odd, huge, undefined).
  fc.record({
    kind: fc.constant('header' as const),
    at: fc.constant({ abs: 0 }),
    header: fc.nat(),
    field: fc.constantFrom('vr' as const, 'length16' as const, 'length32' as const),
    value: fc.oneof(fc.constantFrom(...INTERESTING_32, ...INTERESTING_16), fc.integer({ min: 0, max: 300 })),
  }),
);

const testCase = fc.record({
  source: fc.integer({ min: 0, max: sources.length - 1 }),
  mutations: fc.array(mutation, { minLength: 0, maxLength: 6 }),
  // Truncate in about half the cases, anywhere.
  cut: fc.option(fc.integer({ min: 0, max: 2 ** 20 }), { freq: 2 }),
});

const VR_LIST = [...VR_CODES];

function mutate(from: Source, mutations: readonly Mutation[], cut: number | null): Uint8Array {
  let bytes = Buffer.from(from.bytes);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = resolve(m.at, bytes.length);
    switch (m.kind) {
      case 'header': {
        if (from.headers.length === 0) break;
        const h = from.headers[m.header % from.headers.length]!;
        if (h + 12 > bytes.length) break;
        if (m.field === 'vr') bytes.write(VR_LIST[m.value % VR_LIST.length]!, h + 4, 'latin1');
        else if (m.field === 'length16') bytes.writeUInt16LE(m.value & 0xffff, h + 6);
        else bytes.writeUInt32LE(m.value >>> 0, h + 8);
        break;
      }
      case 'byte': bytes[at] = m.value; break;
      case 'u16': if (at + 2 <= bytes.length) bytes.writeUInt16LE(m.value, at); break;
      case 'u32': if (at + 4 <= bytes.length) bytes.writeUInt32LE(m.value, at); break;
      case 'delete': bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]); break;
      case 'duplicate': {
        const piece = Buffer.from(bytes.subarray(at, at + m.length));
        const to = resolve(m.to, bytes.length);
        bytes = Buffer.concat([bytes.subarray(0, to), piece, bytes.subarray(to)]);
      }
    }
  }
  return cut === null ? bytes : bytes.subarray(0, Math.floor((cut / 2 ** 20) * bytes.length));
}

const CODES = new Set<string>(Object.values(ErrorCodes));
const FAULTS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError];

/** Why `error` is not an acceptable failure of the reader, or undefined when it is. */
function unacceptable(error: unknown): string | undefined {
  if (!isDicomError(error)) return `threw a non-DicomError: ${String(error)}`;
  if (!CODES.has(error.code)) return `unregistered code ${error.code}`;
  for (let cause: unknown = error.cause, depth = 0; cause !== undefined && depth < 10; cause = (cause as { cause?: unknown }).cause, depth++) {
    if (FAULTS.some((fault) => cause instanceof fault)) return `${error.code} wraps a fault: ${String(cause)}`;
  }
  return undefined;
}

interface Stats {
  cases: number;
  read: number;
  rejected: Map<string, number>;
  rewritten: number;
  slowest: number;
}

/** Reads `bytes` (and writes and re-reads what it got); returns a problem, or undefined. */
function check(bytes: Uint8Array, stats: Stats): string | undefined {
  const started = performance.now();
  let file: DicomFile | undefined;
  try {
    file = readDicom(bytes);
    stats.read++;
  } catch (error) {
    const problem = unacceptable(error);
    if (problem) return problem;
    stats.rejected.set((error as { code: string }).code, (stats.rejected.get((error as { code: string }).code) ?? 0) + 1);
  }
  for (const options of [{ stopBeforePixelData: true }, { stopBeforePixelData: true, partial: true }]) {
    try {
      readDicom(bytes, options);
    } catch (error) {
      const problem = unacceptable(error);
      if (problem) return `with ${JSON.stringify(options)}: ${problem}`;
    }
  }
  if (file !== undefined) {
    let written: Uint8Array | undefined;
    try {
      written = writeDicom(file);
    } catch (error) {
      const problem = unacceptable(error);
      if (problem) return `writing what was read: ${problem}`;
    }
    if (written !== undefined) {
      try {
        readDicom(written);
        stats.rewritten++;
      } catch (error) {
        return `what we wrote does not read back: ${String(error)}`;
      }
    }
  }
  const took = performance.now() - started;
  stats.slowest = Math.max(stats.slowest, took);
  if (took > SLOW_MS) return `took ${took.toFixed(0)} ms`;
  return undefined;
}

describe('the reader on damaged input', () => {
  it(`returns or throws a coded DicomError, quickly, for ${RUNS} mutated and truncated files`, () => {
    const stats: Stats = { cases: 0, read: 0, rejected: new Map(), rewritten: 0, slowest: 0 };
    fc.assert(
      fc.property(testCase, ({ source, mutations, cut }) => {
        stats.cases++;
        const problem = check(mutate(sources[source]!, mutations, cut), stats);
        if (problem !== undefined) throw new Error(`${sources[source]!.name}: ${problem}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(stats.cases).toBeGreaterThanOrEqual(2000);
    // The mutations reach past the first checks: many files still read, and every kind of damage is seen.
    expect(stats.read).toBeGreaterThan(RUNS / 10);
    expect(stats.rewritten).toBeGreaterThan(RUNS / 10);
    expect([...stats.rejected.keys()].sort()).toEqual(expect.arrayContaining(['CORE_MALFORMED', 'CORE_NOT_DICOM', 'CORE_TRUNCATED']));
  }, 60_000);
});

/** A Part 10 file in `syntax` holding (0008,0016) and then `body` (the encoded elements that follow it). */
function part10(syntax: string, body: Uint8Array): Uint8Array {
  const dataset = { elements: new Map([[0x00080016, { tag: 0x00080016, vr: 'UI' as const, value: ['1.2'] }]]) };
  const written = Buffer.from(writeDicom({ meta: { elements: new Map() }, dataset, transferSyntaxUID: syntax, hadPreamble: true }));
  if (syntax !== TransferSyntax.DeflatedExplicitVRLittleEndian) return Buffer.concat([written, body]);
  // Deflated: keep the file meta group (its length is at byte 140) and deflate (0008,0016) with `body`.
  const metaEnd = 144 + written.readUInt32LE(140);
  const first = Buffer.from([0x08, 0, 0x16, 0, 0x55, 0x49, 4, 0, 0x31, 0x2e, 0x32, 0]);
  return Buffer.concat([written.subarray(0, metaEnd), deflateRawSync(Buffer.concat([first, body]))]);
}

/** `depth` sequences of `tag` nested in one another, undefined lengths throughout, implicit VR little endian. */
function nestedImplicitBody(tag: number, depth: number): Buffer {
  const open = Buffer.alloc(16);
  open.writeUInt16LE(tag >>> 16, 0);
  open.writeUInt16LE(tag & 0xffff, 2);
  open.writeUInt32LE(0xffffffff, 4);
  open.writeUInt32LE(0xe000fffe, 8);
  open.writeUInt32LE(0xffffffff, 12);
  const close = Buffer.alloc(16);
  close.writeUInt32LE(0xe00dfffe, 0);
  close.writeUInt32LE(0xe0ddfffe, 8);
  return Buffer.concat([...Array<Buffer>(depth).fill(open), ...Array<Buffer>(depth).fill(close)]);
}
const nestedImplicit = (tag: number, depth: number): Uint8Array => part10(TransferSyntax.ImplicitVRLittleEndian, nestedImplicitBody(tag, depth));

/** The same in explicit VR little endian: SQ throughout, or one UN of undefined length holding the rest (CP-246). */
function nestedExplicit(tag: number, vr: 'SQ' | 'UN', depth: number): Uint8Array {
  const open = Buffer.alloc(20);
  open.writeUInt16LE(tag >>> 16, 0);
  open.writeUInt16LE(tag & 0xffff, 2);
  open.write(vr, 4, 'latin1');
  open.writeUInt32LE(0xffffffff, 8);
  open.writeUInt32LE(0xe000fffe, 12);
  open.writeUInt32LE(0xffffffff, 16);
  const close = Buffer.alloc(16);
  close.writeUInt32LE(0xe00dfffe, 0);
  close.writeUInt32LE(0xe0ddfffe, 8);
  const body = vr === 'SQ'
    ? Buffer.concat([...Array<Buffer>(depth).fill(open), ...Array<Buffer>(depth).fill(close)])
    : Buffer.concat([open, nestedImplicitBody(tag, depth - 1), close]);
  return part10(TransferSyntax.ExplicitVRLittleEndian, body);
}

function timed(read: () => unknown): { ms: number; error: unknown } {
  const started = performance.now();
  let error: unknown;
  try {
    read();
  } catch (e) {
    error = e;
  }
  return { ms: performance.now() - started, error };
}

describe('the reader on hostile input', () => {
  it.each([
    ['standard sequences, implicit VR', () => nestedImplicit(0x00081115, 20000)],
    ['private sequences, implicit VR (dicom-parser drops their items)', () => nestedImplicit(0x00091010, 20000)],
    ['standard sequences, explicit VR', () => nestedExplicit(0x00081115, 'SQ', 20000)],
    ['undefined-length UN sequences, explicit VR', () => nestedExplicit(0x00091010, 'UN', 20000)],
  ])('refuses 20,000 nested %s with CORE_MALFORMED in milliseconds', (_what, make) => {
    const { ms, error } = timed(() => readDicom(make()));
    expect(isDicomError(error, 'CORE_MALFORMED')).toBe(true);
    expect((error as Error).message).toMatch(/nested more than 128 levels/);
    expect(ms).toBeLessThan(SLOW_MS);
  });

  it('reads 100 nested private sequences in implicit VR with every level kept, and writes them back', () => {
    const file = readDicom(nestedImplicit(0x00091010, 100));
    let depth = 0;
    let level = file.dataset;
    for (;;) {
      const sq = level.elements.get(0x00091010);
      if (sq === undefined) break;
      expect(sq.vr).toBe('SQ');
      depth++;
      level = (sq.value as DicomFile['dataset'][])[0]!;
    }
    expect(depth).toBe(100);
    const again = readDicom(writeDicom(file, { transferSyntaxUID: TransferSyntax.ImplicitVRLittleEndian }));
    expect(JSON.stringify([...again.dataset.elements.keys()])).toBe(JSON.stringify([...file.dataset.elements.keys()]));
  });

  it('refuses a writeDicom of sequences nested deeper than it can read back', () => {
    let dataset: DicomFile['dataset'] = { elements: new Map() };
    for (let i = 0; i < 200; i++) dataset = { elements: new Map([[0x00081115, { tag: 0x00081115, vr: 'SQ', value: [dataset] }]]) };
    const file: DicomFile = { meta: { elements: new Map() }, dataset, transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, hadPreamble: true };
    expect(() => writeDicom(file)).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });

  it('refuses a deflated data set that inflates past maxInflatedBytes (a zip bomb) with CORE_MALFORMED', () => {
    const bomb = part10(TransferSyntax.DeflatedExplicitVRLittleEndian, Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(128 * 1024);
    const { ms, error } = timed(() => readDicom(bomb, { maxInflatedBytes: 1024 * 1024 }));
    expect(isDicomError(error, 'CORE_MALFORMED')).toBe(true);
    expect((error as Error).message).toMatch(/maxInflatedBytes/);
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ['an element length of 0xFFFFFFF0', 0xfffffff0, 'CORE_TRUNCATED'],
    ['an undefined length on a text element', 0xffffffff, 'CORE_MALFORMED'],
  ])('refuses %s (implicit VR) without allocating it', (_what, length, code) => {
    const body = Buffer.alloc(8);
    body.writeUInt32LE(0x00100010, 0);
    body.writeUInt32LE(length, 4);
    const { error } = timed(() => readDicom(part10(TransferSyntax.ImplicitVRLittleEndian, Buffer.concat([body, Buffer.from('ABCD')]))));
    expect(isDicomError(error, code as 'CORE_TRUNCATED')).toBe(true);
  });

  it('reads a sequence of 100,000 empty items quickly', () => {
    const items = Buffer.alloc(8 * 100_000);
    for (let i = 0; i < 100_000; i++) { items.writeUInt32LE(0xe000fffe, i * 8); items.writeUInt32LE(0, i * 8 + 4); }
    const head = Buffer.alloc(8);
    head.writeUInt32LE(0x11150008, 0);
    head.writeUInt32LE(items.length, 4);
    const { ms, error } = timed(() => readDicom(part10(TransferSyntax.ImplicitVRLittleEndian, Buffer.concat([head, items]))));
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(2000);
  });
});
