import type { DataElement, Dataset } from './dataset.js';
import { lookupTag } from './dictionary.js';
import { type FindingSink, childPath, elementsOf } from './_validate-finding.js';
import { checkTextValue, checkVm } from './vr-format.js';
import { isBigIntVr, isBytesVr, isNumberVr, isTextVr, isVr } from './vr.js';

/** Nesting deeper than this is reported and not descended into (guards against cyclic hand-built data sets). */
const MAX_DEPTH = 64;

/**
 * Checks every element of `dataset` and, recursively, of its sequence items: the value has the shape its VR calls
 * for, each text value has the form and length PS3.5 6.2 requires, the number of values fits the dictionary's VM,
 * and the VR is one the dictionary allows for the tag.
 */
export function checkValues(dataset: Dataset, sink: FindingSink, path = '', depth = 0): void {
  const elements = elementsOf(dataset);
  if (elements === undefined) {
    sink.add('error', 'value-type', path === '' ? 'the data set has no element map' : `sequence item ${path} is not a data set`);
    return;
  }
  const tags = [...elements.keys()].filter((t) => typeof t === 'number').sort((a, b) => a - b);
  for (const tag of tags) {
    checkElement(tag, elements.get(tag), sink, childPath(path, tag), depth);
  }
}

function checkElement(tag: number, element: DataElement | undefined, sink: FindingSink, path: string, depth: number): void {
  const where = { tag, path };
  const vr: unknown = (element as { vr?: unknown } | undefined)?.vr;
  if (element === undefined || typeof vr !== 'string' || !isVr(vr)) {
    sink.add('error', 'value-type', 'element has no valid VR', where);
    return;
  }
  const info = lookupTag(tag);
  if (info !== undefined && info.vrs.length > 0 && vr !== 'UN' && !info.vrs.includes(vr)) {
    sink.add('warning', 'vr-dictionary', `VR ${vr} is not the dictionary's ${info.vrs.join(' or ')}`, where);
  }
  const value: unknown = element.value;
  if (vr === 'SQ') {
    if (!Array.isArray(value)) {
      sink.add('error', 'value-type', 'sequence value is not a list of items', where);
      return;
    }
    if (depth >= MAX_DEPTH) {
      sink.add('error', 'sequence-depth', `sequences nested deeper than ${MAX_DEPTH} levels were not checked`, where);
      return;
    }
    value.forEach((item, i) => checkValues(item as Dataset, sink, `${path}[${i}]`, depth + 1));
    return;
  }
  if (isBytesVr(vr) || 'encapsulated' in element) return;
  const shapeOk = Array.isArray(value)
    && value.every((v) => (isTextVr(vr) ? typeof v === 'string' : isNumberVr(vr) ? typeof v === 'number' : isBigIntVr(vr) ? typeof v === 'bigint' : false));
  if (!shapeOk) {
    sink.add('error', 'value-type', `value does not have the form VR ${vr} calls for`, where);
    return;
  }
  const values = value as readonly unknown[];
  if (isTextVr(vr)) {
    for (let i = 0; i < values.length; i++) {
      const problem = checkTextValue(vr, values[i] as string);
      if (problem !== undefined) {
        sink.add('error', problem.rule, values.length > 1 ? `${problem.message} (value ${i + 1} of ${values.length})` : problem.message, where);
        break;
      }
    }
  }
  if (info !== undefined && info.vrs.includes(vr) && !checkVm(info.vm, values.length)) {
    sink.add('error', 'vm', `has ${values.length} value${values.length === 1 ? '' : 's'}; the dictionary's VM is ${info.vm}`, where);
  }
}
