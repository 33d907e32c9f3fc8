// Our element walk (src/_element-walk.ts) replaced dicom-parser for speed and for its measured faults (a 16-bit
// length for SV/UV/OV, items of private implicit-VR sequences dropped, TypeErrors on cut sequences, no nesting
// limit). dicom-parser stays as an independent oracle: on every corpus file it parses, the two must find the same
// elements at the top level and inside every sequence whose items dicom-parser keeps.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { corpusFile, corpusFiles, CORPUS_REJECTS } from '@dicom-tools/test-fixtures';
import { readDicom, type Dataset } from './index.js';

interface OracleElement {
  tag: string;
  items?: Array<{ dataSet?: { elements: Record<string, OracleElement> } }>;
}

function oracleTags(elements: Record<string, OracleElement>, prefix: string, out: Set<string>): void {
  for (const element of Object.values(elements)) {
    const tag = element.tag.slice(1).toUpperCase();
    if (tag.startsWith('FFFE')) continue; // delimiters are structure
    out.add(prefix + tag);
    element.items?.forEach((item, i) => item.dataSet && oracleTags(item.dataSet.elements, `${prefix}${tag}[${i}].`, out));
  }
}

function ourTags(dataset: Dataset, prefix: string, out: Set<string>, keepItemsOf: Set<string>): void {
  for (const element of dataset.elements.values()) {
    const tag = element.tag.toString(16).toUpperCase().padStart(8, '0');
    out.add(prefix + tag);
    if (element.vr === 'SQ' && keepItemsOf.has(prefix + tag)) {
      element.value.forEach((item, i) => ourTags(item, `${prefix}${tag}[${i}].`, out, keepItemsOf));
    }
  }
}

const BARE_SYNTAX: Record<string, string> = { 'rtstruct.dcm': '1.2.840.10008.1.2' };
/** Corpus files dicom-parser 1.8.21 cannot parse at all (its faults, not the files'): we must read them. */
const ORACLE_FAILS = new Set(['nested_priv_SQ.dcm']);

describe('the element walk against dicom-parser', () => {
  const files = corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined && !ORACLE_FAILS.has(name));

  it.each([...ORACLE_FAILS])('reads %s, which dicom-parser throws on', (name) => {
    const bytes = readFileSync(corpusFile(name));
    expect(() => dicomParser.parseDicom(bytes)).toThrow();
    expect(readDicom(bytes).dataset.elements.size).toBeGreaterThan(0);
  });

  it.each(files)('finds the same elements as dicom-parser in %s', (name) => {
    const bytes = readFileSync(corpusFile(name));
    const options: Record<string, unknown> = {
      // dicom-parser parses the inflater's result from byte 0, so give it the inflated data set alone.
      inflater: (array: Uint8Array, position: number) => inflateRawSync(array.subarray(position)),
    };
    if (BARE_SYNTAX[name] !== undefined) options['TransferSyntaxUID'] = BARE_SYNTAX[name];
    const oracle = dicomParser.parseDicom(bytes, options);
    const expected = new Set<string>();
    oracleTags(oracle.elements as unknown as Record<string, OracleElement>, '', expected);
    // For a bare data set dicom-parser invents a (0002,0010) holding the syntax it was told.
    if (BARE_SYNTAX[name] !== undefined) expected.delete('00020010');
    // dicom-parser keeps items only of the sequences it parsed: compare inside those, the top level everywhere.
    const parsedSequences = new Set([...expected].filter((t) => [...expected].some((u) => u.startsWith(`${t}[`))));
    const actual = new Set<string>();
    const file = readDicom(bytes);
    ourTags(file.meta, '', actual, parsedSequences);
    ourTags(file.dataset, '', actual, parsedSequences);
    expect([...actual].sort()).toEqual([...expected].sort());
  });
});
