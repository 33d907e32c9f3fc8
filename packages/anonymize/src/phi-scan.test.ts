import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readDicom, writeDicom, type DataElement, type Dataset, type DicomFile, type TextVr } from '@dicom-tools/core';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureFiles, peerScript } from '@dicom-tools/test-fixtures';
import { ds, fileOf, seq, TEST_DATA, text } from './_build.test-util.js';
import { oddGroupTags, phiFound, phiValues } from './_phi-scan.test-util.js';
import { anonymizeFile, PROFILE_OPTION_NAMES, PROFILE_RULES, type ProfileOptionName } from './index.js';

// The PHI scanner: for every input, the values PS3.15 Table E.1-1 (with the chosen options) removes or replaces are
// listed from the input alone (see _phi-scan.test-util.ts), and the anonymized file's raw bytes are searched for
// each of them. No private element may remain unless retainSafePrivate is chosen.

const OPTION_SETS: readonly (readonly ProfileOptionName[])[] = [
  [],
  ['retainLongitudinalModifiedDates'],
  ['cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics'],
  ['retainPatientCharacteristics', 'retainDeviceIdentity', 'retainInstitutionIdentity', 'retainLongitudinalFullDates'],
  ['retainSafePrivate', 'retainUIDs'],
];

/**
 * A fresh PHI-rich corpus from make_corpus.py (the project's peer script, vendored in test-fixtures): a 512x512 CT
 * series with PHI at the top level, in nested standard sequences and in a private sequence, an MR, a small tree.
 * Needs /usr/bin/python3 with python3-pydicom and python3-numpy (installed in CI); fails without them.
 */
function makeCorpus(): [string, DicomFile][] {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-tools-phi-corpus-'));
  try {
    const run = spawnSync('/usr/bin/python3', [peerScript('make_corpus.py'), '--out', dir, '--ct-slices', '3', '--mr-slices', '2', '--patients', '2', '--studies', '1', '--series', '1', '--files', '1', '--small-size', '32'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`make_corpus.py failed (needs /usr/bin/python3 with python3-pydicom and python3-numpy): ${run.error?.message ?? run.stderr}`);
    const out: [string, DicomFile][] = [];
    for (const sub of ['ct', 'mr', 'multi']) {
      for (const name of readdirSync(join(dir, sub)).filter((f) => f.endsWith('.dcm')).sort()) out.push([`make_corpus ${sub}/${name}`, readDicom(readFileSync(join(dir, sub, name)))]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function inputs(): [string, DicomFile][] {
  const out: [string, DicomFile][] = [...makeCorpus()];
  for (const name of corpusFiles()) {
    if (CORPUS_REJECTS[name] !== undefined) continue;
    out.push([`corpus ${name}`, readDicom(readFileSync(corpusFile(name)), { fileName: name })]);
  }
  for (const name of FIXTURE_NAMES) fixtureFiles(name).forEach((file, i) => out.push([`fixture ${name}[${i}]`, file]));
  for (const name of readdirSync(TEST_DATA).filter((f) => f.endsWith('.dcm')).sort()) {
    out.push([`test-data ${name}`, readDicom(readFileSync(join(TEST_DATA, name)))]);
  }
  return out;
}

const INPUTS = inputs();

describe('PHI scanner', () => {
  it('has the inputs the issue names: every readable corpus file, every fixture, the PHI-rich make_corpus CT', () => {
    expect(INPUTS.filter(([n]) => n.startsWith('corpus')).length).toBe(corpusFiles().length - Object.keys(CORPUS_REJECTS).length);
    expect(INPUTS.filter(([n]) => n.startsWith('make_corpus ct/')).length).toBe(3);
    // The make_corpus CT has PHI in nested standard sequences and inside a private sequence: the scanner sees it.
    const phi = phiValues(INPUTS.find(([n]) => n === 'make_corpus ct/CT000001.dcm')![1], []);
    for (const value of ['PAT0001-OLD', 'OLDHOSP', 'RP1000', 'Tech^Tina', 'inner private value', 'Müller^Jürgen^^Herr', 'ACC000101']) expect(phi).toContain(value);
  });

  it.each(OPTION_SETS.map((o) => [o.join(', ') || 'the Basic Profile', o] as const))('finds no removed value in any output with %s', (_label, options) => {
    const leaks: string[] = [];
    let searched = 0;
    for (const [name, file] of INPUTS) {
      const phi = phiValues(file, options);
      searched += phi.size;
      const { file: out } = anonymizeFile(file, { secret: 'scanner', options });
      const bytes = writeDicom(out);
      for (const value of phiFound(bytes, phi)) leaks.push(`${name}: ${value}`);
      if (!options.includes('retainSafePrivate')) {
        const odd = oddGroupTags(readDicom(bytes).dataset);
        if (odd.length > 0) leaks.push(`${name}: private elements ${odd.map((t) => t.toString(16)).join(' ')}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(searched).toBeGreaterThan(300); // the scanner really searched for something
  });
});

// ---------------------------------------------------------------- property test

const TEXT_ROWS = Object.entries(PROFILE_RULES)
  .map(([tag]) => Number(tag))
  .filter((tag) => tag >>> 16 !== 0x0002 && tag >>> 16 !== 0x0000);
const TEXT_VRS: readonly TextVr[] = ['LO', 'SH', 'PN', 'LT', 'ST', 'UT', 'UC', 'AE'];
/** Sequences Table E.1-1 does not list (kept, walked into), to nest PHI in. */
const CARRIERS = [0x00081032, 0x00400260, 0x0040a043, 0x00189346, 0x00209222, 0x52009229];

const token = fc.stringMatching(/^Q[A-Z0-9]{11}$/);

interface Placed {
  readonly tag: number;
  readonly vr: TextVr;
  readonly token: string;
  readonly path: readonly number[]; // carrier sequences, outermost first
  readonly privateCreator?: string;
}

const placed: fc.Arbitrary<Placed> = fc.oneof(
  fc.record({ tag: fc.constantFrom(...TEXT_ROWS), vr: fc.constantFrom(...TEXT_VRS), token, path: fc.array(fc.constantFrom(...CARRIERS), { maxLength: 4 }) }),
  fc.record({
    tag: fc.integer({ min: 0x1000, max: 0x10ff }).map((e) => (0x00290000 | e) >>> 0), vr: fc.constantFrom(...TEXT_VRS), token,
    path: fc.array(fc.constantFrom(...CARRIERS), { maxLength: 3 }), privateCreator: fc.stringMatching(/^[A-Z]{4,10}$/),
  }),
);

/** Builds a data set holding each placed token, nested through its carrier sequences (the deepest item created on demand). */
function build(all: readonly Placed[]): Dataset {
  const root = new Map<number, DataElement>([[0x00080016, text(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.2')]]);
  for (const p of all) {
    let map = root;
    for (const carrier of p.path) {
      const existing = map.get(carrier);
      let item: Dataset;
      if (existing !== undefined && existing.vr === 'SQ' && existing.value[0] !== undefined) item = existing.value[0];
      else {
        item = ds();
        map.set(carrier, seq(carrier, item));
      }
      map = item.elements;
    }
    if (p.privateCreator !== undefined) {
      map.set(0x00290010, text(0x00290010, 'LO', p.privateCreator));
      map.set(p.tag, text(p.tag, p.vr, p.token));
    } else {
      map.set(p.tag, text(p.tag, p.vr, p.vr === 'PN' ? `${p.token}^X` : p.token));
    }
  }
  return { elements: root };
}

describe('PHI scanner, property', () => {
  it('leaves no token placed in a Table E.1-1 attribute (unless a chosen option keeps it) or a private element, at any depth (fast-check)', () => {
    const someOptions = fc.subarray([...PROFILE_OPTION_NAMES]).filter((o) => !(o.includes('retainLongitudinalFullDates') && o.includes('retainLongitudinalModifiedDates')));
    fc.assert(
      fc.property(fc.array(placed, { minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), someOptions, (all, secret, options) => {
        const dataset = build(all);
        const meta = { elements: new Map<number, DataElement>([[0x00020016, text(0x00020016, 'AE', 'QSOURCEAET01')]]) };
        const { file } = anonymizeFile({ ...fileOf(dataset), meta }, { secret, options });
        const bytes = writeDicom(file);
        // A token must be gone unless one of the chosen options names its row of Table E.1-1 (then K or C keeps it).
        const mustGo = all.filter((p) => p.privateCreator !== undefined || !options.some((o) => PROFILE_RULES[p.tag]![o] !== undefined)).map((p) => p.token);
        // Tokens placed twice at one spot are overwritten; only those in the input count.
        const input = writeDicom({ ...fileOf(dataset), meta });
        const present = mustGo.filter((t) => phiFound(input, [t]).length > 0);
        const sourceAe = options.includes('retainDeviceIdentity') ? [] : ['QSOURCEAET01'];
        expect(phiFound(bytes, [...present, ...sourceAe])).toEqual([]);
        expect(oddGroupTags(readDicom(bytes).dataset)).toEqual([]); // random creators are never on the safe list
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});
