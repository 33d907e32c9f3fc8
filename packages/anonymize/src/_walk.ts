import { formatTag, formatTagPath, isPrivateCreatorTag, keywordOf, type DataElement, type Dataset, type SequenceElement, type TagPathStep, type TextElement } from '@dicom-tools/core';
import { decidePrivate, decideStandard, PATIENT_ID, PATIENT_NAME, privateCreators, type DecideContext, type Decision, type Mode } from './_decide.js';
import { keyedHex } from './_keyed.js';
import type { Scrubber } from './_scrub.js';
import { dummy, FREE_TEXT_VRS, shiftDateValue, valuesForReport, withText, zeroLength } from './_values.js';
import type { AnonymizeAction } from './report.js';
import { isWellKnownUid, remapUid, type Secret } from './uid-remap.js';

/** Keywords of attributes whose single words are identifying too (institution, station, address, location names). */
const NAME_OR_ADDRESS = /Name|Address|Institution|Department|Station|Location|Telephone/;

/** Everything the walk needs besides the decisions. */
export interface WalkSettings extends DecideContext {
  readonly secret: Secret;
  /** Prefix of the patient pseudonym. */
  readonly patientPrefix: string;
  /** Days to move dates by (retainLongitudinalModifiedDates), else undefined. */
  readonly dateShiftDays: number | undefined;
  /** Cleans free text of the identifying values the profile removes elsewhere. */
  readonly scrubber: Scrubber;
  /** The caller's UID map (original -> replacement), filled as UIDs are replaced; else a per-call cache. */
  readonly uidMap: Map<string, string>;
  readonly reportValues: boolean;
}

/** What the walk accumulates. */
export interface WalkState {
  readonly actions: AnonymizeAction[];
  uidsReplaced: number;
  readonly warnings: Set<string>;
}

/** The key a patient is known by: `id:<Patient ID>`, or `name:<Patient's Name>` when the ID is empty. */
export function patientKey(dataset: Dataset): string {
  const first = (tag: number): string => {
    const e = dataset.elements.get(tag);
    const v = e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] : undefined;
    return typeof v === 'string' ? v.trim() : '';
  };
  const id = first(PATIENT_ID);
  return id !== '' ? `id:${id}` : `name:${first(PATIENT_NAME)}`;
}

/** The keyed pseudonym of the patient known by `key`: `prefix` + 16 upper-case hex digits of HMAC-SHA256. */
export function pseudonym(settings: WalkSettings, key: string): string {
  return settings.patientPrefix + keyedHex(settings.secret, 'patient', key, 16);
}

/** `path` written out once per data set walked: `Seq[0].Inner[2]`, or '' at the top level. */
function pathPrefix(path: readonly TagPathStep[]): string {
  return path.length === 0 ? '' : `${formatTagPath(path)}.`;
}

function record(state: WalkState, settings: WalkSettings, prefix: string, before: DataElement, decision: Decision, after: DataElement | undefined): void {
  const action: AnonymizeAction = {
    path: prefix + (keywordOf(before.tag) ?? formatTag(before.tag)),
    tag: before.tag,
    action: decision.action,
    rule: decision.rule,
    ...(decision.cell !== undefined ? { cell: decision.cell } : {}),
    ...(decision.type !== undefined ? { type: decision.type } : {}),
    ...(settings.reportValues ? { before: valuesForReport(before), ...(after !== undefined ? { after: valuesForReport(after) } : {}) } : {}),
  };
  state.actions.push(action);
}

function mapUid(uid: string, settings: WalkSettings): string {
  const known = settings.uidMap.get(uid);
  if (known !== undefined) return known;
  const replacement = remapUid(uid, settings.secret);
  settings.uidMap.set(uid, replacement);
  return replacement;
}

/** The element with every instance UID replaced (well-known UIDs and empty values are kept). */
function remapElement(element: TextElement, settings: WalkSettings, state: WalkState): TextElement {
  let changed = false;
  const values = element.value.map((value) => {
    const uid = value.trim();
    if (uid === '' || isWellKnownUid(uid)) return value;
    changed = true;
    state.uidsReplaced++;
    return mapUid(uid, settings);
  });
  return changed ? withText(element, values) : element;
}

function walkSequence(element: SequenceElement, settings: WalkSettings, state: WalkState, path: readonly TagPathStep[], mode: Mode): SequenceElement {
  const value = element.value.map((item, index) => walkDataset(item, settings, state, [...path, { tag: element.tag, item: index }], mode));
  return { tag: element.tag, vr: 'SQ', value };
}

/** The element a pseudonym replaces (Patient's Name, Patient ID), per the profile or the seed preset. */
function pseudonymElement(element: TextElement, dataset: Dataset, settings: WalkSettings): TextElement {
  if (element.value.every((v) => v.trim() === '')) return withText(element, []);
  if (settings.seed && element.tag === PATIENT_NAME) return withText(element, ['ANONYMOUS^PATIENT']);
  if (element.tag === PATIENT_ID) return withText(element, [pseudonym(settings, `id:${element.value[0]?.trim() ?? ''}`)]);
  // The pseudonym as the family name, with the component delimiter that marks it as one (PS3.5 6.2.1).
  return withText(element, [`${pseudonym(settings, patientKey(dataset))}^`]);
}

/** The element after a C: dates moved, free text cleaned, sequences walked into, other values kept. */
function clean(element: DataElement, settings: WalkSettings, state: WalkState, path: readonly TagPathStep[], mode: Mode): DataElement {
  if (element.vr === 'SQ') return walkSequence(element, settings, state, path, mode);
  if (element.vr === 'DA' || element.vr === 'DT' || element.vr === 'TM') {
    if (settings.dateShiftDays === undefined) return zeroLength(element);
    const text = element as TextElement;
    let unreadable = false;
    const values = text.value.map((v) => {
      const moved = shiftDateValue(element.vr, v.trim(), settings.dateShiftDays!);
      if (moved === undefined) unreadable = true;
      return moved ?? '';
    });
    if (unreadable) state.warnings.add('a date or date-time that could not be read was emptied instead of shifted');
    return values.every((v, i) => v === text.value[i]) ? element : withText(text, values);
  }
  if (element.vr === 'UI') return remapElement(element as TextElement, settings, state);
  if (Array.isArray(element.value) && typeof element.value[0] === 'string') {
    const text = element as TextElement;
    const values = text.value.map((v) => settings.scrubber.scrub(v));
    return values.every((v, i) => v === text.value[i]) ? element : withText(text, values);
  }
  return element;
}

/** Applies `decision` to a standard element; undefined when the element is removed. */
function apply(element: DataElement, decision: Decision, dataset: Dataset, settings: WalkSettings, state: WalkState, path: readonly TagPathStep[], mode: Mode): DataElement | undefined {
  switch (decision.action) {
    case 'X':
      return undefined;
    case 'Z':
      return zeroLength(element);
    case 'K':
      return element.vr === 'SQ' ? walkSequence(element, settings, state, path, mode) : element;
    case 'C':
      return clean(element, settings, state, path, mode);
    case 'U':
      if (element.vr === 'SQ') return walkSequence(element, settings, state, path, mode);
      if (element.vr === 'UI') return remapElement(element, settings, state);
      return dummy(element);
    case 'D':
      if (element.tag === PATIENT_NAME || element.tag === PATIENT_ID) {
        if (Array.isArray(element.value) && typeof element.value[0] === 'string') return pseudonymElement(element as TextElement, dataset, settings);
        return zeroLength(element);
      }
      if (decision.rule === 'seed') return withText(element as TextElement, ['ANONYMIZED']);
      if (element.vr === 'SQ') return walkSequence(element, settings, state, path, 'dummy');
      if (element.vr === 'UI') return remapElement(element, settings, state);
      return dummy(element);
  }
}

function same(a: DataElement, b: DataElement | undefined): boolean {
  return a === b;
}

/**
 * Applies the profile to `dataset` (the items at `path`, walked as `mode`) and returns a new data set; `dataset`
 * is not changed. Every sequence is walked into, at any depth.
 */
export function walkDataset(dataset: Dataset, settings: WalkSettings, state: WalkState, path: readonly TagPathStep[], mode: Mode): Dataset {
  const out = new Map<number, DataElement>();
  let creators: Map<number, string> | undefined;
  const creatorsOf = (): Map<number, string> => (creators ??= privateCreators(dataset));
  const prefix = pathPrefix(path);
  let keptBlocks: Set<number> | undefined;
  const creatorElements: DataElement[] = [];
  for (const element of dataset.elements.values()) {
    const tag = element.tag;
    if (((tag >>> 16) & 1) === 1) {
      if (isPrivateCreatorTag(tag)) {
        creatorElements.push(element);
        continue;
      }
      const decision = decidePrivate(tag, settings, creatorsOf);
      if (decision.action === 'K') {
        const kept = element.vr === 'SQ' ? walkSequence(element, settings, state, path, mode) : element.vr === 'UI' ? remapElement(element, settings, state) : element;
        out.set(tag, kept);
        (keptBlocks ??= new Set()).add(((tag >>> 16) << 8) | ((tag & 0xffff) >> 8));
        record(state, settings, prefix, element, decision, kept);
      } else {
        record(state, settings, prefix, element, decision, undefined);
      }
      continue;
    }
    const decision = decideStandard(element, path.length, mode, settings);
    if (decision === undefined) {
      out.set(tag, element.vr === 'SQ' ? walkSequence(element, settings, state, path, mode) : element);
      continue;
    }
    const after = apply(element, decision, dataset, settings, state, path, mode);
    if (after !== undefined) out.set(tag, after);
    // Unlisted values left as they were (a UID that is well-known, a time under a whole-day shift) are not reported.
    if ((decision.rule === 'uid' || decision.rule === 'date-shift' || decision.rule === 'scrub') && same(element, after)) continue;
    record(state, settings, prefix, element, decision, after);
  }
  for (const creator of creatorElements) {
    const block = ((creator.tag >>> 16) << 8) | (creator.tag & 0xff);
    if (keptBlocks?.has(block) === true) {
      out.set(creator.tag, creator);
      record(state, settings, prefix, creator, { action: 'K', rule: 'private-creator' }, creator);
    } else {
      record(state, settings, prefix, creator, { action: 'X', rule: 'private-creator' }, undefined);
    }
  }
  return { elements: out };
}

/**
 * Feeds `scrubber` every identifying text value the profile will remove or replace in `dataset`: the values of
 * the elements whose own action is X, Z or D (at any depth) and every text value inside a removed private
 * element. Coded values inside a removed standard sequence (code meanings, scheme designators) are not
 * identifying in themselves and are not collected.
 */
export function collectIdentifiers(dataset: Dataset, settings: WalkSettings, scrubber: Scrubber, depth = 0, mode: Mode = 'normal', inPrivate = false): void {
  let creators: Map<number, string> | undefined;
  const creatorsOf = (): Map<number, string> => (creators ??= privateCreators(dataset));
  for (const element of dataset.elements.values()) {
    const tag = element.tag;
    const odd = ((tag >>> 16) & 1) === 1;
    let decision: Decision | undefined;
    if (odd) decision = isPrivateCreatorTag(tag) ? undefined : decidePrivate(tag, settings, creatorsOf);
    else decision = decideStandard(element, depth, mode, settings);
    const removed = decision !== undefined && (decision.action === 'X' || decision.action === 'Z' || decision.action === 'D');
    if (element.vr === 'SQ') {
      const inner: Mode = decision?.action === 'D' ? 'dummy' : mode;
      for (const item of element.value) collectIdentifiers(item, settings, scrubber, depth + 1, inner, inPrivate || (odd && removed));
      continue;
    }
    if (!(inPrivate || removed) || !(FREE_TEXT_VRS.has(element.vr) || element.vr === 'DA' || element.vr === 'DT')) continue;
    const words = !odd && NAME_OR_ADDRESS.test(keywordOf(tag) ?? '');
    scrubber.add(element.vr, element.value as readonly string[], words);
  }
}
