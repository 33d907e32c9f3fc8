// Compares what readDicom returns with what DCMTK's dcmdump (3.6.7) prints for every readable corpus file:
// the same tags at every nesting level (file meta and data set), the same VR, and the same values.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureBytes, fixtureFiles } from '@dicom-tools/test-fixtures';
import { formatTag, isEncapsulated, readDicom, type DataElement, type Dataset } from './index.js';

const DCMDUMP = '/usr/bin/dcmdump';

/** One element as dcmdump prints it. */
interface DumpElement {
  readonly tag: number;
  readonly vr: string;
  /** The value text between the VR and the `#` comment. */
  readonly value: string;
  /** The length column (`u/l` = undefined length). */
  readonly length: number | 'u/l';
  readonly items: DumpDataset[];
  /** Items of a pixel sequence (VR `pi`), as their value text. */
  readonly fragments: string[];
}
type DumpDataset = Map<number, DumpElement>;

const LINE = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?) *# *(\d+|u\/l), *\d+ [^#]*$/;

/**
 * Parses `dcmdump +L +U8 +Qn -Un` output. Elements of an item are indented two spaces deeper than the item
 * line, which is two deeper than its sequence; `(fffe,e0xx)` lines open items or close structures.
 */
function parseDump(text: string): { meta: DumpDataset; dataset: DumpDataset } {
  const meta: DumpDataset = new Map();
  const dataset: DumpDataset = new Map();
  let levels: DumpDataset[] = [meta];
  let last: DumpElement[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# Dicom-Meta-Information-Header')) { levels = [meta]; last = []; continue; }
    if (line.startsWith('# Dicom-Data-Set')) { levels = [dataset]; last = []; continue; }
    const m = LINE.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    const tag = (parseInt(m[2]! + m[3]!, 16)) >>> 0;
    const vr = m[4]!;
    const value = m[5]!;
    const length = m[6] === 'u/l' ? 'u/l' : Number(m[6]);
    if (tag >>> 16 === 0xfffe) {
      if ((tag & 0xffff) !== 0xe000) continue; // delimitation items are structure
      const owner = last[(indent - 2) / 4];
      if (!owner) throw new Error(`item without an owner: ${line}`);
      if (vr === 'pi') owner.fragments.push(value);
      else {
        const item: DumpDataset = new Map();
        owner.items.push(item);
        levels[(indent + 2) / 4] = item;
      }
      continue;
    }
    const level = indent / 4;
    const element: DumpElement = { tag, vr, value, length, items: [], fragments: [] };
    const into = levels[level];
    if (!into) throw new Error(`element outside any item: ${line}`);
    into.set(tag, element);
    last[level] = element;
    last.length = level + 1;
  }
  return { meta, dataset };
}

/** Decodes `+Qn` markup: `&#NNN;` is one byte of the (UTF-8, after +U8) value; the rest is ASCII. */
function unquote(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '&') {
      const end = text.indexOf(';', i);
      const entity = text.slice(i + 1, end);
      if (entity.startsWith('#')) bytes.push(Number(entity.slice(1)));
      else bytes.push(...Buffer.from({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '?', 'latin1'));
      i = end;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

const hexBytes = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('\\');
const hexWords = (bytes: Uint8Array): string => {
  const out: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) out.push((bytes[i]! | (bytes[i + 1]! << 8)).toString(16).padStart(4, '0'));
  return out.join('\\');
};
const NO_VALUE = '(no value available)';

/**
 * DCMTK formats doubles with 17 significant digits but not always correctly rounded at extreme magnitudes
 * (-1e300 prints as -1.0000000000000007e+300): equal, or within 4 units in the last place.
 */
function closeDouble(a: number, b: number): boolean {
  return Object.is(a, b) || Math.abs(a - b) <= 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));
}

function stripPadding(text: string): string {
  return text.replace(/[ \0]+$/, '');
}

/** Checks one of our elements against dcmdump's line (and, for sequences, its items). */
function compareElement(ours: DataElement, theirs: DumpElement, where: string, problems: string[]): void {
  const say = (what: string): void => void problems.push(`${where}: ${what}`);
  if (ours.vr === 'SQ') {
    // An SQ on our side: dcmdump shows SQ too, or (for a private tag it could not type in implicit VR) raw bytes.
    if (theirs.vr !== 'SQ') return say(`we read a sequence, dcmdump shows VR ${theirs.vr}`);
    const items = ours.value as readonly Dataset[];
    if (items.length !== theirs.items.length) return say(`${items.length} items, dcmdump ${theirs.items.length}`);
    items.forEach((item, i) => compareDataset(item, theirs.items[i]!, `${where}[${i}]`, problems));
    return;
  }
  if (isEncapsulated(ours)) {
    const all = [ours.value.basicOffsetTable, ...ours.value.fragments];
    if (theirs.fragments.length !== all.length) return say(`${all.length} pixel items, dcmdump ${theirs.fragments.length}`);
    all.forEach((bytes, i) => {
      const expected = bytes.length === 0 ? NO_VALUE : hexBytes(bytes);
      if (theirs.fragments[i] !== expected) say(`pixel item ${i} differs`);
    });
    return;
  }
  // dcmdump shows the file's VR in explicit VR and its dictionary's in implicit VR (where ours must agree);
  // a tag neither dictionary knows is `??` in its dump and UN (bytes kept as they are) in ours.
  const theirVr = theirs.vr === '??' ? 'UN' : theirs.vr;
  if (ours.vr !== theirVr) return say(`VR ${ours.vr}, dcmdump ${theirs.vr}`);
  const value = theirs.value;
  switch (ours.vr) {
    case 'AE': case 'AS': case 'CS': case 'DA': case 'DS': case 'DT': case 'IS': case 'LO': case 'LT': case 'PN':
    case 'SH': case 'ST': case 'TM': case 'UC': case 'UI': case 'UR': case 'UT': {
      const text = (ours.value as readonly string[]).join('\\');
      const dumped = value === NO_VALUE ? '' : stripPadding(unquote(value.replace(/^\[|\]$/g, '')));
      if (text !== dumped) say(`text ${JSON.stringify(text)}, dcmdump ${JSON.stringify(dumped)}`);
      return;
    }
    case 'US': case 'SS': case 'UL': case 'SL': {
      const dumped = value === NO_VALUE ? [] : value.split('\\').map(Number);
      if (JSON.stringify(ours.value) !== JSON.stringify(dumped)) say(`${ours.value.join('\\')} vs dcmdump ${value}`);
      return;
    }
    case 'FL': case 'FD': {
      // dcmdump prints FL with 9 significant digits, which identify a float exactly, and FD with 17 (see closeDouble).
      const dumped = value === NO_VALUE ? [] : value.split('\\').map(Number);
      const mine = ours.value as readonly number[];
      const equal = (n: number, i: number): boolean => (ours.vr === 'FL' ? Object.is(Math.fround(n), Math.fround(dumped[i]!)) : closeDouble(n, dumped[i]!));
      if (mine.length !== dumped.length || !mine.every(equal)) say(`${mine.join('\\')} vs dcmdump ${value}`);
      return;
    }
    case 'AT': {
      const dumped = value === NO_VALUE ? [] : value.split('\\').map((t) => parseInt(t.replace(/[(),]/g, ''), 16) >>> 0);
      if (JSON.stringify(ours.value) !== JSON.stringify(dumped)) say(`AT ${(ours.value as number[]).map(formatTag).join('\\')} vs dcmdump ${value}`);
      return;
    }
    case 'SV': case 'UV': {
      const dumped = value === NO_VALUE ? [] : value.split('\\').map((v) => BigInt(v));
      if ((ours.value as readonly bigint[]).join('\\') !== dumped.join('\\')) say(`${ours.value.join('\\')} vs dcmdump ${value}`);
      return;
    }
    default: {
      const bytes = ours.value as Uint8Array;
      // Binary values: dcmdump prints OB/UN as bytes, OW as 16-bit words in host order, OF/OD/OL/OV as numbers.
      let expected: string;
      if (bytes.length === 0) expected = NO_VALUE;
      else if (theirs.vr === 'OW') expected = hexWords(bytes);
      else if (theirs.vr === 'OF' || theirs.vr === 'OD') {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const size = theirs.vr === 'OF' ? 4 : 8;
        const numbers = value.split('\\').map(Number);
        const mine: number[] = [];
        for (let i = 0; i + size <= bytes.length; i += size) mine.push(size === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
        const equal = (n: number, i: number): boolean => (size === 4 ? Math.fround(numbers[i]!) === n : closeDouble(n, numbers[i]!));
        if (mine.length !== numbers.length || !mine.every(equal)) say(`${theirs.vr} values ${mine.join('\\')} differ from dcmdump's ${value}`);
        return;
      } else if (theirs.vr === 'OL' || theirs.vr === 'OV') {
        // dcmdump prints OL and OV as unsigned decimal numbers.
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const size = theirs.vr === 'OL' ? 4 : 8;
        const mine: string[] = [];
        for (let i = 0; i + size <= bytes.length; i += size) mine.push(size === 4 ? String(view.getUint32(i, true)) : String(view.getBigUint64(i, true)));
        expected = mine.join('\\');
      } else expected = hexBytes(bytes);
      // dcmdump shows an odd-length value with the padding byte it added on reading (its length column says so).
      if (value !== expected && !(bytes.length % 2 === 1 && theirs.length === bytes.length + 1 && value.startsWith(expected))) {
        say(`${bytes.length} bytes differ from dcmdump's ${theirs.length} (${value.slice(0, 60)}...)`);
      }
    }
  }
}

function compareDataset(ours: Dataset, theirs: DumpDataset, where: string, problems: string[]): void {
  for (const tag of theirs.keys()) {
    if (!ours.elements.has(tag)) problems.push(`${where}${formatTag(tag)}: dcmdump has it, we do not`);
  }
  for (const [tag, element] of ours.elements) {
    const dumped = theirs.get(tag);
    if (!dumped) {
      problems.push(`${where}${formatTag(tag)}: we have it, dcmdump does not`);
      continue;
    }
    compareElement(element, dumped, `${where}${formatTag(tag)}`, problems);
  }
}

function dcmdump(path: string, utf8: boolean): string {
  const run = spawnSync(DCMDUMP, ['+L', '+Qn', '-Un', ...(utf8 ? ['+U8'] : []), path], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw run.error;
  return run.stdout;
}

/**
 * The dump to compare with: text converted to UTF-8 by DCMTK itself (`+U8`) when the file declares a
 * character set other than UTF-8. `+U8` also rewrites (0008,0005) to "ISO_IR 192" in what it prints, so that
 * one element is taken from the unconverted dump.
 */
function dumpOf(path: string): { meta: DumpDataset; dataset: DumpDataset } {
  const plain = parseDump(dcmdump(path, false));
  const charset = plain.dataset.get(SPECIFIC_CHARACTER_SET);
  if (charset === undefined || charset.value === NO_VALUE || charset.value === '[ISO_IR 192]') return plain;
  const converted = parseDump(dcmdump(path, true));
  converted.dataset.set(SPECIFIC_CHARACTER_SET, charset);
  return converted;
}
const SPECIFIC_CHARACTER_SET = 0x00080005;

describe('our reading agrees with dcmdump', () => {
  it('has dcmdump installed (DCMTK; .ci/run installs it)', () => {
    expect(existsSync(DCMDUMP)).toBe(true);
  });

  const readable = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined);

  it.each(readable)('%s: same tags, VRs and values at every level', (name) => {
    const path = corpusFile(name);
    const file = readDicom(readFileSync(path), { fileName: name });
    const dump = dumpOf(path);
    const problems: string[] = [];
    compareDataset(file.meta, dump.meta, 'meta ', problems);
    compareDataset(file.dataset, dump.dataset, '', problems);
    expect(problems).toEqual([]);
    // The comparison saw something: the dump had as many top-level elements as we read.
    expect(dump.dataset.size).toBe(file.dataset.elements.size);
  });

  describe('on the synthetic fixtures, as written by our writer in each native syntax', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'dicom-tools-dcmdump-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const syntaxes = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'];
    // A bare data set (no meta) cannot say that it is deflated: it is not written deflated.
    const cases = FIXTURE_NAMES.flatMap((name) => syntaxes.filter((syntax) => fixtureFiles(name)[0]!.hadPreamble || syntax !== '1.2.840.10008.1.2.1.99').map((syntax) => [name, syntax] as const));
    it.each(cases)('%s in %s', (name, syntax) => {
      const bytes = fixtureBytes(fixtureFiles(name)[0]!, { transferSyntaxUID: syntax });
      const path = join(dir, `${name}-${syntax}.dcm`);
      writeFileSync(path, bytes);
      const file = readDicom(bytes);
      const dump = dumpOf(path);
      const problems: string[] = [];
      compareDataset(file.meta, dump.meta, 'meta ', problems);
      compareDataset(file.dataset, dump.dataset, '', problems);
      expect(problems).toEqual([]);
      expect(dump.dataset.size).toBe(file.dataset.elements.size);
    });
  });

  it('parses dcmdump output that holds sequences, so a sequence mismatch would be seen', () => {
    const dump = dumpOf(corpusFile('test-SR.dcm'));
    const content = dump.dataset.get(0x0040a730);
    expect(content?.items.length).toBeGreaterThan(0);
  });
});
