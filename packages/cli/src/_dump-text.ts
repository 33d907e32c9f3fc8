import { formatTag, isEncapsulated, sortedElements, transferSyntaxInfo, type DataElement, type Dataset, type DicomFile } from '@dicom-tools/core';
import { keywordText, valueLength, valueMultiplicity, valueText } from './_element-text.js';

/** Options for {@link dumpLines}. */
export interface DumpTextOptions {
  /** Longest value shown before `...`; Infinity shows everything. */
  readonly maxValueChars: number;
}

const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
/** Column where `#` starts, counted from the indentation (as dcmdump lays it out). */
const COMMENT_COLUMN = 55;

/** `-`: a sequence or item, whose length the reader does not keep; `u/l`: always undefined length. */
type LengthText = number | '-' | 'u/l';

function line(depth: number, tag: number, vr: string, value: string, length: LengthText, vm: number): string {
  const indent = '  '.repeat(depth);
  const head = `${indent}${formatTag(tag)} ${vr} ${value}`;
  const len = String(length);
  return `${head.padEnd(indent.length + COMMENT_COLUMN)} # ${len.padStart(3)},${String(vm).padStart(2)} ${keywordText(tag)}`;
}

function pushElement(out: string[], element: DataElement, depth: number, options: DumpTextOptions): void {
  const max = options.maxValueChars;
  if (element.vr === 'SQ') {
    out.push(line(depth, element.tag, 'SQ', valueText(element, max), '-', 1));
    for (const item of element.value) {
      out.push(line(depth + 1, ITEM, 'na', `(Item #=${item.elements.size})`, '-', 1));
      pushDataset(out, item, depth + 2, options);
      out.push(line(depth + 1, ITEM_END, 'na', '(ItemDelimitationItem)', 0, 0));
    }
    out.push(line(depth, SEQUENCE_END, 'na', '(SequenceDelimitationItem)', 0, 0));
    return;
  }
  if (isEncapsulated(element)) {
    out.push(line(depth, element.tag, element.vr, valueText(element, max), 'u/l', 1));
    for (const fragment of [element.value.basicOffsetTable, ...element.value.fragments]) {
      out.push(line(depth + 1, ITEM, 'pi', valueText({ tag: ITEM, vr: 'OB', value: fragment }, max), fragment.length, 1));
    }
    out.push(line(depth, SEQUENCE_END, 'na', '(SequenceDelimitationItem)', 0, 0));
    return;
  }
  out.push(line(depth, element.tag, element.vr, valueText(element, max), valueLength(element) ?? '-', valueMultiplicity(element)));
}

function pushDataset(out: string[], dataset: Dataset, depth: number, options: DumpTextOptions): void {
  for (const element of sortedElements(dataset)) pushElement(out, element, depth, options);
}

/**
 * A dcmdump-like listing of a file: one line per element, `(0010,0010) PN [Doe^John]   #   8, 1 PatientName`,
 * the file meta group first, sequence items indented between item and delimitation markers.
 */
export function dumpLines(file: DicomFile, options: DumpTextOptions): string[] {
  const out: string[] = [];
  const syntax = transferSyntaxInfo(file.transferSyntaxUID);
  if (file.meta.elements.size > 0) {
    out.push('# File meta information');
    pushDataset(out, file.meta, 0, options);
    out.push('');
  } else {
    out.push('# No file meta information (a bare data set)', '');
  }
  out.push(`# Data set, transfer syntax: ${syntax.name}${syntax.name !== syntax.uid ? ` (${syntax.uid})` : ''}`);
  pushDataset(out, file.dataset, 0, options);
  return out;
}
