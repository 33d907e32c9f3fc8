// Expectations come from DCMTK's dcmdump (3.6.7) output for the same files, and names from PS3.6 Annex A.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { corpusFile, corpusFiles, CORPUS_REJECTS } from '@dicom-tools/test-fixtures';
import { createDataset, readDicom, summarizeMetadata, Tags, type MetadataSummary } from './index.js';

const DCMDUMP = '/usr/bin/dcmdump';
const readable = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined);

/** PS3.6 Table A-1 names of the transfer syntaxes and SOP classes in the corpus (without the "Default Transfer Syntax" notes). */
const PS36_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless Image Compression',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.5.1.4.1.1.2': 'CT Image Storage',
  '1.2.840.10008.5.1.4.1.1.4': 'MR Image Storage',
  '1.2.840.10008.5.1.4.1.1.6.1': 'Ultrasound Image Storage',
  '1.2.840.10008.5.1.4.1.1.7': 'Secondary Capture Image Storage',
  '1.2.840.10008.5.1.4.1.1.9.1.1': '12-lead ECG Waveform Storage',
  '1.2.840.10008.5.1.4.1.1.66.4': 'Segmentation Storage',
  '1.2.840.10008.5.1.4.1.1.88.11': 'Basic Text SR Storage',
  '1.2.840.10008.5.1.4.1.1.88.33': 'Comprehensive SR Storage',
  '1.2.840.10008.5.1.4.1.1.481.2': 'RT Dose Storage',
  '1.2.840.10008.5.1.4.1.1.481.3': 'RT Structure Set Storage',
};
/** The transfer syntaxes of PS3.5 without encapsulated pixel data. */
const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'];
/** dcmdump's name for the syntax it read a bare data set in, as its UID. */
const DCMTK_SYNTAX: Readonly<Record<string, string>> = {
  'Little Endian Implicit': '1.2.840.10008.1.2',
  'Little Endian Explicit': '1.2.840.10008.1.2.1',
  'Big Endian Explicit': '1.2.840.10008.1.2.2',
};

interface Dump {
  /** Top-level elements of meta and data set: `gggg,eeee` -> the value text dcmdump prints (null: no value). */
  readonly meta: Map<string, string | null>;
  readonly dataset: Map<string, string | null>;
  readonly datasetSyntax: string;
}

/** Runs `dcmdump +L +U8 -Un` and keeps the unindented element lines of each part. */
function dcmdump(path: string): Dump {
  const run = spawnSync(DCMDUMP, ['+L', '+U8', '-Un', path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`dcmdump failed on ${path}: ${run.stderr}`);
  const meta = new Map<string, string | null>();
  const dataset = new Map<string, string | null>();
  let into = meta;
  let datasetSyntax = '';
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('# Dicom-Data-Set')) into = dataset;
    const syntax = /^# Used TransferSyntax: (.*)$/.exec(line);
    if (syntax && into === dataset) datasetSyntax = syntax[1]!;
    const m = /^\(([0-9a-f]{4},[0-9a-f]{4})\) \S\S (.*?) *#/.exec(line);
    if (!m) continue;
    const text = m[2]!;
    into.set(m[1]!, text === '(no value available)' ? null : text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  }
  return { meta, dataset, datasetSyntax };
}

/** What the summary should say, read off the dump: text as printed, numbers from the first printed value. */
function expectedFrom(dump: Dump, fileSize: number): MetadataSummary {
  const text = (tag: string, from = dump.dataset): string | null => {
    const v = from.get(tag);
    return v === undefined || v === null || v.trim() === '' ? null : v;
  };
  const number = (tag: string): number | null => {
    const first = text(tag)?.split('\\')[0]?.trim();
    return first !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(first) ? Number(first) : null;
  };
  const ts = text('0002,0010', dump.meta) ?? DCMTK_SYNTAX[dump.datasetSyntax] ?? null;
  const sop = text('0008,0016') ?? text('0002,0002', dump.meta);
  return {
    patient: { name: text('0010,0010'), id: text('0010,0020'), birthDate: text('0010,0030'), sex: text('0010,0040'), age: text('0010,1010'), weight: number('0010,1030') },
    study: { description: text('0008,1030'), date: text('0008,0020'), time: text('0008,0030'), instanceUID: text('0020,000d'), id: text('0020,0010') },
    series: { description: text('0008,103e'), number: number('0020,0011'), modality: text('0008,0060'), instanceUID: text('0020,000e') },
    image: {
      rows: number('0028,0010'), columns: number('0028,0011'), bitsAllocated: number('0028,0100'), bitsStored: number('0028,0101'),
      samplesPerPixel: number('0028,0002'), photometricInterpretation: text('0028,0004'), windowCenter: number('0028,1050'),
      windowWidth: number('0028,1051'), numberOfFrames: number('0028,0008'),
    },
    acquisition: { date: text('0008,0022'), time: text('0008,0032'), number: number('0020,0012') },
    equipment: { manufacturer: text('0008,0070'), model: text('0008,1090'), station: text('0008,1010'), softwareVersions: text('0018,1020') },
    transferSyntax: { uid: ts, name: ts === null ? null : PS36_NAMES[ts] ?? null },
    compressed: ts !== null && !NATIVE.includes(ts),
    sopClass: { uid: sop, name: sop === null ? null : PS36_NAMES[sop] ?? null },
    fileSize,
  };
}

describe('summarizeMetadata', () => {
  it('has dcmdump to compare with', () => {
    expect(existsSync(DCMDUMP)).toBe(true); // fails, not skips, when DCMTK is missing
  });

  it.each(readable)('agrees with dcmdump on every field of %s', (name) => {
    const path = corpusFile(name);
    const size = statSync(path).size;
    const summary = summarizeMetadata(readDicom(readFileSync(path), { fileName: name }), { fileSize: size });
    expect(summary).toEqual(expectedFrom(dcmdump(path), size));
  });

  it('gives numbers as numbers: CT_small.dcm rows 128, weight 0 from DS "0.000000", series number 1 from IS "1"', () => {
    const summary = summarizeMetadata(readDicom(readFileSync(corpusFile('CT_small.dcm'))));
    expect(summary.image.rows).toBe(128);
    expect(summary.patient.weight).toBe(0);
    expect(summary.series.number).toBe(1);
    expect(summary.fileSize).toBeNull();
  });

  it('gives null for an IS that is not a number (badVR.dcm Number of Frames "1A")', () => {
    expect(dcmdump(corpusFile('badVR.dcm')).dataset.get('0028,0008')).toBe('1A');
    expect(summarizeMetadata(readDicom(readFileSync(corpusFile('badVR.dcm')))).image.numberOfFrames).toBeNull();
  });

  it('gives the same summary from a header-only read as from a full read', () => {
    const bytes = readFileSync(corpusFile('MR_small_jpeg_ls_lossless.dcm'));
    expect(summarizeMetadata(readDicom(bytes, { stopBeforePixelData: true }))).toEqual(summarizeMetadata(readDicom(bytes)));
  });

  it('takes the first of several window values, and joins several software versions with a backslash', () => {
    const dataset = createDataset([
      { tag: Tags.WindowCenter, vr: 'DS', value: [' 40', '400'] },
      { tag: Tags.WindowWidth, vr: 'DS', value: ['350.5', '2000'] },
      { tag: Tags.SoftwareVersions, vr: 'LO', value: ['V1', 'V2.3'] },
    ]);
    const summary = summarizeMetadata({ meta: createDataset(), dataset, transferSyntaxUID: '1.2.840.10008.1.2.1', hadPreamble: false });
    expect(summary.image.windowCenter).toBe(40);
    expect(summary.image.windowWidth).toBe(350.5);
    expect(summary.equipment.softwareVersions).toBe('V1\\V2.3');
  });

  it('gives null for every field of an empty data set, and the transfer syntax it is given', () => {
    const summary = summarizeMetadata({ meta: createDataset(), dataset: createDataset(), transferSyntaxUID: '1.2.840.10008.1.2.4.50', hadPreamble: false });
    expect(Object.values(summary.patient).every((v) => v === null)).toBe(true);
    expect(Object.values(summary.image).every((v) => v === null)).toBe(true);
    expect(summary.sopClass).toEqual({ uid: null, name: null });
    expect(summary.transferSyntax).toEqual({ uid: '1.2.840.10008.1.2.4.50', name: PS36_NAMES['1.2.840.10008.1.2.4.50'] });
    expect(summary.compressed).toBe(true);
  });
});
