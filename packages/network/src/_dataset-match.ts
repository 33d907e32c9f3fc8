import { isBigIntVr, isNumberVr, isTextVr, type DataElement, type Dataset } from '@dicom-tools/core';
import { matchesKey } from './_matching.js';

function text(element: DataElement | undefined): string | undefined {
  if (!element) return undefined;
  if (isTextVr(element.vr) || isNumberVr(element.vr) || isBigIntVr(element.vr)) return (element.value as readonly unknown[]).map(String).join('\\');
  return undefined;
}

/** Skipped when matching: they describe the query, not the candidate. */
const NOT_MATCHED = new Set([0x00080005, 0x00080052]);

/**
 * Matches a candidate data set against a C-FIND identifier (PS3.4 C.2.2.2), sequences included: a sequence key
 * with one item matches when any item of the candidate's sequence matches all of its keys (an empty item, or an
 * empty sequence, is universal). Returns the response: each key of the identifier with the candidate's value
 * (zero length when the candidate has none), sequence keys holding the matched item's requested keys; or
 * undefined when the candidate does not match.
 */
export function matchDataset(candidate: Dataset, identifier: Dataset): Dataset | undefined {
  const out = new Map<number, DataElement>();
  for (const key of identifier.elements.values()) {
    const have = candidate.elements.get(key.tag);
    if (key.vr === 'SQ') {
      const query = key.value[0];
      const items = have?.vr === 'SQ' ? have.value : [];
      if (!query || query.elements.size === 0) {
        out.set(key.tag, { tag: key.tag, vr: 'SQ', value: items });
        continue;
      }
      let matched: Dataset | undefined;
      for (const item of items) {
        matched = matchDataset(item, query);
        if (matched) break;
      }
      if (!matched) {
        if (items.length > 0 || hasMatchingKeys(query)) return undefined;
        matched = emptyOf(query);
      }
      out.set(key.tag, { tag: key.tag, vr: 'SQ', value: [matched] });
      continue;
    }
    if (NOT_MATCHED.has(key.tag)) {
      if (have) out.set(key.tag, have);
      continue;
    }
    const pattern = text(key) ?? '';
    if (!matchesKey(text(have), pattern, key.vr)) return undefined;
    out.set(key.tag, have ?? emptyElement(key));
  }
  if (candidate.elements.has(0x00080005) && !out.has(0x00080005)) out.set(0x00080005, candidate.elements.get(0x00080005)!);
  return { elements: out };
}

function hasMatchingKeys(query: Dataset): boolean {
  for (const e of query.elements.values()) {
    if (e.vr === 'SQ' ? e.value[0] !== undefined && hasMatchingKeys(e.value[0]) : (text(e) ?? '') !== '' && text(e) !== '*') return true;
  }
  return false;
}

function emptyOf(query: Dataset): Dataset {
  return { elements: new Map([...query.elements.values()].map((e) => [e.tag, emptyElement(e)])) };
}

function emptyElement(key: DataElement): DataElement {
  if (key.vr === 'SQ') return { tag: key.tag, vr: 'SQ', value: [] };
  if (isTextVr(key.vr)) return { tag: key.tag, vr: key.vr, value: [] } as DataElement;
  if (isNumberVr(key.vr) || isBigIntVr(key.vr)) return { tag: key.tag, vr: key.vr, value: [] } as DataElement;
  return { tag: key.tag, vr: key.vr, value: new Uint8Array(0) } as DataElement;
}
