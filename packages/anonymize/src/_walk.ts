import { checkTextValue, formatTag, isPrivateCreatorTag, isTextVr, keywordOf, resolveUnknownVr, type DataElement, type Dataset, type SequenceElement, type TextElement, type TextVr, type Vr } from '@dicom-tools/core';
import { decidePrivate, decideStandard, PATIENT_ID, PATIENT_NAME, PRIVATE, privateCreators, safePrivateVr, type DecideContext, type Decision, type Mode } from './_decide.js';
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
  /** The byte order of the transfer syntax the data set was read in (how the bytes of UN elements are to be read). */
  readonly littleEndian: boolean;
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
  /** The Specific Character Set in force in the data set being walked (for reading UN elements as text). */
  charsets: readonly string[];
}

/** An empty {@link WalkState}. */
export function createWalkState(): WalkState {
  return { actions: [], counts: { D: 0, Z: 0, X: 0, K: 0, C: 0, U: 0 }, uidsReplaced: 0, warnings: new Set(), pending: [], lastPseudonym: undefined, charsets: [''] };
}

/** The key a patient is known by: `id:<Patient ID>`, or `name:<Patient's Name>` when the ID is empty. */
export function patientKey(dataset: Dataset): string {
  const first = (tag: number): string => {
    const found = dataset.elements.get(tag);
    // Patient ID and Patient's Name written as UN are read as LO and PN (byte order does not matter for text).
    const e = found?.vr === 'UN' ? (resolveUnknownVr(found) ?? found) : found;
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
    // The original dates are identifying where free text repeats them next to the shifted ones: cleaned from it.
    if (element.vr !== 'TM') settings.scrubber.add(element.vr, text.value, false);
    return values.every((v, i) => v === text.value[i]) ? element : withText(text, values);
  }
  if (element.vr === 'UI') return remapElement(element as TextElement, settings, state);
  return element;
}

/** Runs of digits and dots that can be a UID. */
const UID_LIKE = /[0-9]+(?:\.[0-9]+)+/g;

/** `text` with every UID it quotes that was replaced (a key of `uidMap`) blanked with `*`, the length kept. */
function blankReplacedUids(text: string, uidMap: ReadonlyMap<string, string>): string {
  if (!/[0-9]\.[0-9]/.test(text)) return text;
  return text.replace(UID_LIKE, (uid) => (uidMap.has(uid) ? '*'.repeat(uid.length) : uid));
}

/** Free text cleaned of every identifier the scrubber knows, and of the instance UIDs replaced so far. */
function scrubText(element: TextElement, settings: WalkSettings): TextElement {
  const { scrubber, uidMap } = settings;
  let values: string[] | undefined;
  for (let i = 0; i < element.value.length; i++) {
    const value = element.value[i]!;
    const scrubbed = blankReplacedUids(scrubber.scrub(value), uidMap);
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
function collectRemoved(element: DataElement, settings: WalkSettings, state: WalkState, depth: number, mode: Mode, inner: Mode, odd: boolean): void {
  if (element.vr === 'SQ') {
    for (const item of element.value) collectIdentifiers(item, settings, settings.scrubber, depth + 1, inner, odd, state.charsets);
  } else if (FREE_TEXT_VRS.has(element.vr) || element.vr === 'DA' || element.vr === 'DT') {
    settings.scrubber.add(element.vr, element.value as readonly string[], !odd && NAME_OR_ADDRESS.test(keywordOf(element.tag) ?? ''));
  } else if (odd) {
    const text = textOfUnknown(element);
    if (text !== undefined) addUnknownText(settings.scrubber, text);
  }
}

/** The Specific Character Set a data set's own (0008,0005) sets, as the reader applies it, or undefined. */
function charsetsOf(dataset: Dataset): readonly string[] | undefined {
  const cs = dataset.elements.get(0x00080005);
  if (cs === undefined || cs.vr !== 'CS') return undefined;
  return cs.value.length > 0 ? cs.value.map((v) => v.trim()) : [''];
}

/**
 * A standard element read as UN (an explicit VR file written by a system that did not know the attribute) read as
 * the VR the dictionary gives it, so that the profile treats it as what it is: its sequence walked into, its UIDs
 * replaced, its dates and text handled. Anything else, or what cannot be read so, as it is.
 */
function knownVr(element: DataElement, settings: WalkSettings, charsets: readonly string[]): DataElement {
  if (element.vr !== 'UN') return element;
  return resolveUnknownVr(element, { littleEndian: settings.littleEndian, charsets }) ?? element;
}

/** Text VRs whose values have a form (PS3.5 6.2) a kept safe private element must have. */
const FORMED_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI']);

/**
 * A private element on the safe-private list as the list describes it, read as the listed VR `listed` when it is
 * UN (a private element of implicit VR data), or undefined when it is not what the list describes (another VR, a
 * value that cannot be read as the listed VR or does not have its form): then it is removed like any other.
 */
function asListed(element: DataElement, listed: string, settings: WalkSettings, charsets: readonly string[]): DataElement | undefined {
  if (listed === '') return element;
  if (listed === 'OW/OB') return element.vr === 'OW' || element.vr === 'OB' || element.vr === 'UN' ? element : undefined;
  const read = element.vr === 'UN' ? resolveUnknownVr(element, { vr: listed as Vr, littleEndian: settings.littleEndian, charsets }) : element;
  if (read === undefined || read.vr !== listed) return undefined;
  if (FORMED_VRS.has(read.vr) && isTextVr(read.vr) && (read.value as readonly string[]).some((v) => checkTextValue(read.vr as TextVr, v) !== undefined)) return undefined;
  return read;
}

/**
 * The text of a private UN element (a private element of implicit VR data) when its bytes look like text with a
 * letter in it, or an 8-digit date, split at backslashes: what the scrubber is given of a removed one.
 */
function textOfUnknown(element: DataElement): string[] | undefined {
  if (element.vr !== 'UN' || !(element.value instanceof Uint8Array)) return undefined;
  const bytes = element.value;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
  if (end === 0) return undefined;
  let letter = false;
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1b) || c === 0x7f) return undefined;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0) letter = true;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('latin1');
  return letter || /^\d{8}$/.test(text) ? text.split('\\') : undefined;
}

/** Gives the scrubber text of unknown VR: as a person name (its components too) when it has a `^`, else whole. */
function addUnknownText(scrubber: Scrubber, text: readonly string[]): void {
  scrubber.add(text.some((v) => v.includes('^')) ? 'PN' : 'LO', text, false);
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
  const inherited = state.charsets;
  const charsets = charsetsOf(dataset) ?? inherited;
  state.charsets = charsets;
  try {
    return walkElements(dataset, charsets, settings, state, prefix, depth, mode);
  } finally {
    state.charsets = inherited;
  }
}

function walkElements(dataset: Dataset, charsets: readonly string[], settings: WalkSettings, state: WalkState, prefix: string, depth: number, mode: Mode): Dataset {
  const out = new Map<number, DataElement>();
  let creators: Map<number, string> | undefined;
  const creatorsOf = (): Map<number, string> => (creators ??= privateCreators(dataset));
  let keptBlocks: Set<number> | undefined;
  let creatorElements: DataElement[] | undefined;
  for (const read of dataset.elements.values()) {
    const tag = read.tag;
    if (((tag >>> 16) & 1) === 1) {
      if (isPrivateCreatorTag(tag)) {
        (creatorElements ??= []).push(read);
        continue;
      }
      let element = read;
      let decision = decidePrivate(tag, settings, creatorsOf);
      if (decision.action === 'K') {
        // Kept only as the safe-private list describes it (its VR, its value's form), read as that VR when UN.
        const listed = asListed(read, safePrivateVr(tag, creatorsOf()) ?? '', settings, charsets);
        if (listed === undefined) decision = PRIVATE;
        else element = listed;
      }
      if (decision.action === 'K') {
        const kept = element.vr === 'SQ' ? walkSequence(element, settings, state, prefix, depth, mode) : element.vr === 'UI' ? remapElement(element, settings, state) : element;
        out.set(tag, kept);
        (keptBlocks ??= new Set()).add(((tag >>> 16) << 8) | ((tag & 0xffff) >> 8));
        record(state, settings, prefix, element, decision, kept);
      } else {
        collectRemoved(element, settings, state, depth, mode, mode, true);
        record(state, settings, prefix, element, decision, undefined);
      }
      continue;
    }
    const element = knownVr(read, settings, charsets);
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
      collectRemoved(element, settings, state, depth, mode, action === 'D' ? 'dummy' : mode, false);
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
    const after = scrubText(element, settings);
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
export function collectIdentifiers(dataset: Dataset, settings: WalkSettings, scrubber: Scrubber, depth = 0, mode: Mode = 'normal', inPrivate = false, inherited: readonly string[] = ['']): void {
  let creators: Map<number, string> | undefined;
  const creatorsOf = (): Map<number, string> => (creators ??= privateCreators(dataset));
  const charsets = charsetsOf(dataset) ?? inherited;
  for (const read of dataset.elements.values()) {
    const tag = read.tag;
    const odd = ((tag >>> 16) & 1) === 1;
    const element = odd ? read : knownVr(read, settings, charsets);
    let decision: Decision | undefined;
    if (odd) decision = isPrivateCreatorTag(tag) ? undefined : decidePrivate(tag, settings, creatorsOf);
    else decision = decideStandard(element, depth, mode, settings);
    const removed = decision !== undefined && (decision.action === 'X' || decision.action === 'Z' || decision.action === 'D');
    if (element.vr === 'SQ') {
      const inner: Mode = decision?.action === 'D' ? 'dummy' : mode;
      for (const item of element.value) collectIdentifiers(item, settings, scrubber, depth + 1, inner, inPrivate || (odd && removed), charsets);
      continue;
    }
    if (!(inPrivate || removed)) continue;
    const unknownText = odd ? textOfUnknown(element) : undefined;
    if (unknownText !== undefined) {
      addUnknownText(scrubber, unknownText);
      continue;
    }
    if (!(FREE_TEXT_VRS.has(element.vr) || element.vr === 'DA' || element.vr === 'DT')) continue;
    const words = !odd && NAME_OR_ADDRESS.test(keywordOf(tag) ?? '');
    scrubber.add(element.vr, element.value as readonly string[], words);
  }
}
