import { formatTag, isPrivateCreatorTag, keywordOf, type DataElement, type Dataset, type SequenceElement, type TextElement } from '@dicom-tools/core';
import { decidePrivate, decideStandard, PATIENT_ID, PATIENT_NAME, privateCreators, type DecideContext, type Decision, type Mode } from './_decide.js';
import { keyedHex, type KeyedMemo } from './_keyed.js';
import type { Scrubber } from './_scrub.js';
import { dummy, FREE_TEXT_VRS, shiftDateValue, valuesForReport, withText, zeroLength } from './_values.js';
import type { AnonymizeAction } from './report.js';
import type { ActionCode } from './_generated/profile-table.js';
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
  /** Build the list of actions (else only count them). */
  readonly listActions: boolean;
  /** The caller's memo of keyed values (patient pseudonyms), if any. */
  readonly keyed: KeyedMemo | undefined;
}

/** Free text the walk cleans once every identifier of the data set is known (see {@link finishWalk}). */
interface PendingScrub {
  /** The output data set it is in (its place there is kept by the element as it was). */
  readonly out: Map<number, DataElement>;
  readonly element: TextElement;
  readonly decision: Decision;
  readonly prefix: string;
  /** Its place in the actions, left empty until then (-1 when actions are only counted). */
  readonly index: number;
}

/** What the walk accumulates. */
export interface WalkState {
  /** The actions in order, with a hole for each cleaned text until {@link finishWalk} fills it or drops it. */
  readonly actions: (AnonymizeAction | undefined)[];
  /** The actions taken, by code (also when they are not listed). */
  readonly counts: Record<ActionCode, number>;
  uidsReplaced: number;
  readonly warnings: Set<string>;
  readonly pending: PendingScrub[];
  /** The last pseudonym made, by the key it was made of (Patient's Name and Patient ID usually share one). */
  lastPseudonym: { readonly key: string; readonly value: string } | undefined;
}

/** An empty {@link WalkState}. */
export function createWalkState(): WalkState {
  return { actions: [], counts: { D: 0, Z: 0, X: 0, K: 0, C: 0, U: 0 }, uidsReplaced: 0, warnings: new Set(), pending: [], lastPseudonym: undefined };
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
export function pseudonym(settings: WalkSettings, state: WalkState, key: string): string {
  const last = state.lastPseudonym;
  if (last !== undefined && last.key === key) return last.value;
  const value = settings.patientPrefix + keyedHex(settings.secret, 'patient', key, 16, settings.keyed);
  state.lastPseudonym = { key, value };
  return value;
}

/** How a path names a tag: its keyword, else `(gggg,eeee)` (as core's `formatTagPath` does). */
function nameOf(tag: number): string {
  return keywordOf(tag) ?? formatTag(tag);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The report's entry for `before` (the optional fields set only when they apply, in the report's field order). */
function actionOf(settings: WalkSettings, prefix: string, before: DataElement, decision: Decision, after: DataElement | undefined): AnonymizeAction {
  const action: Writable<AnonymizeAction> = { path: prefix + nameOf(before.tag), tag: before.tag, action: decision.action, rule: decision.rule };
  if (decision.cell !== undefined) action.cell = decision.cell;
  if (decision.type !== undefined) action.type = decision.type;
  if (settings.reportValues) {
    action.before = valuesForReport(before);
    if (after !== undefined) action.after = valuesForReport(after);
  }
  return action;
}

function record(state: WalkState, settings: WalkSettings, prefix: string, before: DataElement, decision: Decision, after: DataElement | undefined): void {
  state.counts[decision.action]++;
  if (settings.listActions) state.actions.push(actionOf(settings, prefix, before, decision, after));
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
  let values: string[] | undefined;
  for (let i = 0; i < element.value.length; i++) {
    const uid = element.value[i]!.trim();
    if (uid === '' || isWellKnownUid(uid)) continue;
    state.uidsReplaced++;
    (values ??= [...element.value])[i] = mapUid(uid, settings);
  }
  return values !== undefined ? withText(element, values) : element;
}

/** Walks the items of a sequence of the data set at `depth` whose path is `prefix`. */
function walkSequence(element: SequenceElement, settings: WalkSettings, state: WalkState, prefix: string, depth: number, mode: Mode): SequenceElement {
  const name = prefix + nameOf(element.tag);
  const value = element.value.map((item, index) => walkDataset(item, settings, state, `${name}[${index}].`, depth + 1, mode));
  return { tag: element.tag, vr: 'SQ', value };
}

/** The element a pseudonym replaces (Patient's Name, Patient ID), per the profile or the seed preset. */
function pseudonymElement(element: TextElement, dataset: Dataset, settings: WalkSettings, state: WalkState): TextElement {
  if (element.value.every((v) => v.trim() === '')) return withText(element, []);
  if (settings.seed && element.tag === PATIENT_NAME) return withText(element, ['ANONYMOUS^PATIENT']);
  if (element.tag === PATIENT_ID) return withText(element, [pseudonym(settings, state, `id:${element.value[0]?.trim() ?? ''}`)]);
  // The pseudonym as the family name, with the component delimiter that marks it as one (PS3.5 6.2.1).
  return withText(element, [`${pseudonym(settings, state, patientKey(dataset))}^`]);
}

/** True when a C of `element` is the cleaning of free text (which waits for every identifier, see {@link finishWalk}). */
function isTextToScrub(element: DataElement): element is TextElement {
  const vr = element.vr;
  if (vr === 'SQ' || vr === 'DA' || vr === 'DT' || vr === 'TM' || vr === 'UI') return false;
  return Array.isArray(element.value) && typeof element.value[0] === 'string';
}

/** The element after a C other than of free text: dates moved, sequences walked into, UIDs replaced, other values kept. */
function clean(element: DataElement, settings: WalkSettings, state: WalkState, prefix: string, depth: number, mode: Mode): DataElement {
  if (element.vr === 'SQ') return walkSequence(element, settings, state, prefix, depth, mode);
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
  return element;
}

/** Free text cleaned of every identifier the scrubber knows. */
function scrubText(element: TextElement, scrubber: Scrubber): TextElement {
  let values: string[] | undefined;
  for (let i = 0; i < element.value.length; i++) {
    const value = element.value[i]!;
    const scrubbed = scrubber.scrub(value);
    if (scrubbed !== value) (values ??= [...element.value])[i] = scrubbed;
  }
  return values !== undefined ? withText(element, values) : element;
}

/** Applies `decision` to a standard element; undefined when the element is removed. */
function apply(element: DataElement, decision: Decision, dataset: Dataset, settings: WalkSettings, state: WalkState, prefix: string, depth: number, mode: Mode): DataElement | undefined {
  switch (decision.action) {
    case 'X':
      return undefined;
    case 'Z':
      return zeroLength(element);
    case 'K':
      return element.vr === 'SQ' ? walkSequence(element, settings, state, prefix, depth, mode) : element;
    case 'C':
      return clean(element, settings, state, prefix, depth, mode);
    case 'U':
      if (element.vr === 'SQ') return walkSequence(element, settings, state, prefix, depth, mode);
      if (element.vr === 'UI') return remapElement(element, settings, state);
      return dummy(element);
    case 'D':
      if (element.tag === PATIENT_NAME || element.tag === PATIENT_ID) {
        if (Array.isArray(element.value) && typeof element.value[0] === 'string') return pseudonymElement(element as TextElement, dataset, settings, state);
        return zeroLength(element);
      }
      if (decision.rule === 'seed') return withText(element as TextElement, ['ANONYMIZED']);
      if (element.vr === 'SQ') return walkSequence(element, settings, state, prefix, depth, 'dummy');
      if (element.vr === 'UI') return remapElement(element, settings, state);
      return dummy(element);
  }
}

/** True when {@link apply} walks into the items of sequence `element` (and so collects their identifiers itself). */
function walksInto(element: SequenceElement, decision: Decision): boolean {
  if (decision.action === 'X' || decision.action === 'Z') return false;
  if (decision.action !== 'D') return true;
  return element.tag !== PATIENT_NAME && element.tag !== PATIENT_ID && decision.rule !== 'seed';
}

/** Gives the scrubber the identifiers of an element the profile removes or replaces (as {@link collectIdentifiers} does). */
function collectRemoved(element: DataElement, settings: WalkSettings, depth: number, mode: Mode, inner: Mode, odd: boolean): void {
  if (element.vr === 'SQ') {
    for (const item of element.value) collectIdentifiers(item, settings, settings.scrubber, depth + 1, inner, odd);
  } else if (FREE_TEXT_VRS.has(element.vr) || element.vr === 'DA' || element.vr === 'DT') {
    settings.scrubber.add(element.vr, element.value as readonly string[], !odd && NAME_OR_ADDRESS.test(keywordOf(element.tag) ?? ''));
  }
}

const CREATOR_KEPT: Decision = { action: 'K', rule: 'private-creator' };
const CREATOR_REMOVED: Decision = { action: 'X', rule: 'private-creator' };

/**
 * Applies the profile to `dataset` (the items at `prefix`, at `depth`, walked as `mode`) and returns a new data
 * set; `dataset` is not changed. Every sequence is walked into, at any depth. As it goes, it gives the scrubber
 * every identifier the profile removes (as {@link collectIdentifiers} would), and leaves the free text to clean in
 * `state.pending`: call {@link finishWalk} once the whole data set is walked.
 */
export function walkDataset(dataset: Dataset, settings: WalkSettings, state: WalkState, prefix: string, depth: number, mode: Mode): Dataset {
  const out = new Map<number, DataElement>();
  let creators: Map<number, string> | undefined;
  const creatorsOf = (): Map<number, string> => (creators ??= privateCreators(dataset));
  let keptBlocks: Set<number> | undefined;
  let creatorElements: DataElement[] | undefined;
  for (const element of dataset.elements.values()) {
    const tag = element.tag;
    if (((tag >>> 16) & 1) === 1) {
      if (isPrivateCreatorTag(tag)) {
        (creatorElements ??= []).push(element);
        continue;
      }
      const decision = decidePrivate(tag, settings, creatorsOf);
      if (decision.action === 'K') {
        const kept = element.vr === 'SQ' ? walkSequence(element, settings, state, prefix, depth, mode) : element.vr === 'UI' ? remapElement(element, settings, state) : element;
        out.set(tag, kept);
        (keptBlocks ??= new Set()).add(((tag >>> 16) << 8) | ((tag & 0xffff) >> 8));
        record(state, settings, prefix, element, decision, kept);
      } else {
        collectRemoved(element, settings, depth, mode, mode, true);
        record(state, settings, prefix, element, decision, undefined);
      }
      continue;
    }
    const decision = decideStandard(element, depth, mode, settings);
    if (decision === undefined) {
      out.set(tag, element.vr === 'SQ' ? walkSequence(element, settings, state, prefix, depth, mode) : element);
      continue;
    }
    const action = decision.action;
    if (action === 'C' && isTextToScrub(element)) {
      out.set(tag, element);
      state.pending.push({ out, element, decision, prefix, index: settings.listActions ? state.actions.length : -1 });
      if (settings.listActions) state.actions.push(undefined);
      continue;
    }
    if ((action === 'X' || action === 'Z' || action === 'D') && !(element.vr === 'SQ' && walksInto(element, decision))) {
      collectRemoved(element, settings, depth, mode, action === 'D' ? 'dummy' : mode, false);
    }
    const after = apply(element, decision, dataset, settings, state, prefix, depth, mode);
    if (after !== undefined) out.set(tag, after);
    // Unlisted values left as they were (a UID that is well-known, a time under a whole-day shift) are not reported.
    if ((decision.rule === 'uid' || decision.rule === 'date-shift' || decision.rule === 'scrub') && element === after) continue;
    record(state, settings, prefix, element, decision, after);
  }
  if (creatorElements !== undefined) {
    for (const creator of creatorElements) {
      const block = ((creator.tag >>> 16) << 8) | (creator.tag & 0xff);
      if (keptBlocks?.has(block) === true) {
        out.set(creator.tag, creator);
        record(state, settings, prefix, creator, CREATOR_KEPT, creator);
      } else {
        record(state, settings, prefix, creator, CREATOR_REMOVED, undefined);
      }
    }
  }
  return { elements: out };
}

/**
 * Cleans the free text {@link walkDataset} left in `state.pending` (every identifier is known by now), puts it
 * in its place in the output and in the actions (text the profile does not list and that had no identifier is
 * not reported), and returns the actions.
 */
export function finishWalk(settings: WalkSettings, state: WalkState): AnonymizeAction[] {
  let dropped = false;
  for (const { out, element, decision, prefix, index } of state.pending) {
    const after = scrubText(element, settings.scrubber);
    if (after !== element) out.set(element.tag, after);
    if (decision.rule === 'scrub' && after === element) dropped = true;
    else {
      state.counts[decision.action]++;
      if (index >= 0) state.actions[index] = actionOf(settings, prefix, element, decision, after);
    }
  }
  state.pending.length = 0;
  const actions = state.actions;
  if (dropped) {
    let kept = 0;
    for (const action of actions) if (action !== undefined) actions[kept++] = action;
    actions.length = kept;
  }
  return actions as AnonymizeAction[];
}

/**
 * Feeds `scrubber` every identifying text value the profile will remove or replace in `dataset`: the values of
 * the elements whose own action is X, Z or D (at any depth) and every text value inside a removed private
 * element. Coded values inside a removed standard sequence (code meanings, scheme designators) are not
 * identifying in themselves and are not collected. The walk calls it for the items it does not walk into.
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
