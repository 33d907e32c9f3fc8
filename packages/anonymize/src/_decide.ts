import { isPrivateCreatorTag, isPrivateTag, type DataElement, type Dataset } from '@dicom-tools/core';
import type { AttributeType } from './_generated/iod-types.js';
import type { ActionCode, BasicProfileCode, ProfileOptionName } from './_generated/profile-table.js';
import { PRIVATE_RULE } from './_generated/profile-table.js';
import { CLASS_UID_TAGS } from './_generated/class-uids.js';
import { SAFE_PRIVATE_ATTRIBUTES } from './_generated/safe-private.js';
import { optionAction, profileRuleFor, resolveCell } from './_rules.js';
import { FREE_TEXT_VRS } from './_values.js';
import type { ActionRule } from './report.js';

/** How the contents of a sequence are treated: as usual, or as inside a sequence the profile replaces with dummies (D). */
export type Mode = 'normal' | 'dummy';

/** What the walk needs to decide an element's fate. */
export interface DecideContext {
  readonly options: readonly ProfileOptionName[];
  readonly retainSafePrivate: boolean;
  readonly retainUIDs: boolean;
  readonly shiftDates: boolean;
  readonly keepDates: boolean;
  readonly seed: boolean;
  /** The Type of each Type-dependent attribute at the top level of the IOD, if the IOD is known. */
  readonly topTypes: Readonly<Record<number, AttributeType>> | undefined;
  /** Whether every module of the IOD is in the 2008 tables (an attribute absent from `topTypes` is then Type 3). */
  readonly topComplete: boolean;
}

/** The decision for one element. `undefined` action means: keep it as it is, nothing to report. */
export interface Decision {
  readonly action: ActionCode;
  readonly rule: ActionRule;
  readonly cell?: BasicProfileCode;
  readonly type?: AttributeType | 'unknown';
}

export const PATIENT_NAME = 0x00100010;
export const PATIENT_ID = 0x00100020;
export const INSTITUTION_NAME = 0x00080080;

const DATE_VRS: ReadonlySet<string> = new Set(['DA', 'DT', 'TM']);

// The decisions that are the same for every element they apply to (decisions are never changed once made).
const GROUP_LENGTH: Decision = { action: 'X', rule: 'group-length' };
const PSEUDONYM: Decision = { action: 'D', rule: 'pseudonym' };
const SEED: Decision = { action: 'D', rule: 'seed' };
const UID: Decision = { action: 'U', rule: 'uid' };
const PERSON_NAME: Decision = { action: 'X', rule: 'person-name' };
const DATE_SHIFT: Decision = { action: 'C', rule: 'date-shift' };
const IN_DUMMY_SEQUENCE: Decision = { action: 'D', rule: 'in-dummy-sequence' };
const DATE: Decision = { action: 'Z', rule: 'date' };
const SCRUB: Decision = { action: 'C', rule: 'scrub' };
const SAFE_PRIVATE: Decision = { action: 'K', rule: 'retainSafePrivate' };
/** A private element removed (the Basic Profile's action for private attributes). */
export const PRIVATE: Decision = { action: PRIVATE_RULE.basic as ActionCode, rule: 'private' };
const BASIC: Readonly<Record<ActionCode, Decision>> = {
  D: { action: 'D', rule: 'basic' }, Z: { action: 'Z', rule: 'basic' }, X: { action: 'X', rule: 'basic' },
  K: { action: 'K', rule: 'basic' }, C: { action: 'C', rule: 'basic' }, U: { action: 'U', rule: 'basic' },
};

/** The private creator of each block of `dataset`, keyed `group << 8 | block`. */
export function privateCreators(dataset: Dataset): Map<number, string> {
  const creators = new Map<number, string>();
  for (const element of dataset.elements.values()) {
    if (!isPrivateCreatorTag(element.tag) || element.vr === 'SQ' || !Array.isArray(element.value)) continue;
    const value = (element.value as readonly unknown[])[0];
    if (typeof value === 'string') creators.set(((element.tag >>> 16) << 8) | (element.tag & 0xff), value.trim());
  }
  return creators;
}

/** The key of a private element in the safe-private table, `<creator>|GGGG|EE`. */
function safeKey(creator: string, tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `${creator}|${hex.slice(0, 4)}|${hex.slice(6, 8)}`;
}

/**
 * The VR the safe-private list gives private data element `tag` under the creator of its block (`''` where it
 * gives none), or undefined when the element is not on the list.
 */
export function safePrivateVr(tag: number, creators: ReadonlyMap<number, string>): string | undefined {
  const element = tag & 0xffff;
  if (element < 0x1000) return undefined;
  const creator = creators.get(((tag >>> 16) << 8) | (element >> 8));
  return creator !== undefined ? SAFE_PRIVATE_ATTRIBUTES[safeKey(creator, tag)] : undefined;
}

/** True when private data element `tag` is on the safe-private list under the creator of its block. */
export function isSafePrivate(tag: number, creators: ReadonlyMap<number, string>): boolean {
  return safePrivateVr(tag, creators) !== undefined;
}

/**
 * The action for a private (odd-group) element: X, or K when retainSafePrivate is on and the element is on the
 * safe-private list under its block's creator. Creators themselves are decided by the caller, after their blocks.
 */
export function decidePrivate(tag: number, context: DecideContext, creators: () => ReadonlyMap<number, string>): Decision {
  if (context.retainSafePrivate && isPrivateTag(tag) && isSafePrivate(tag, creators())) return SAFE_PRIVATE;
  return PRIVATE;
}

/**
 * The action for a standard (even-group) element at `depth` (0 = top level) within a sequence treated as `mode`.
 * Returns undefined for an element kept as it is with nothing to report (sequences are still walked into).
 */
export function decideStandard(element: DataElement, depth: number, mode: Mode, context: DecideContext): Decision | undefined {
  const tag = element.tag;
  if ((tag & 0xffff) === 0) return GROUP_LENGTH;
  if (tag === PATIENT_NAME || tag === PATIENT_ID) return context.seed ? SEED : PSEUDONYM;
  const rule = profileRuleFor(tag);
  if (rule !== undefined) {
    const option = optionAction(rule, context.options);
    if (option !== undefined) return { action: option.action, rule: option.option };
    if (context.seed && tag === INSTITUTION_NAME) return SEED;
    if (!rule.basic.includes('/')) return BASIC[rule.basic as ActionCode];
    const type = depth > 0 ? 'unknown' : (context.topTypes?.[tag] ?? (context.topComplete ? '3' : 'unknown'));
    return { action: resolveCell(rule.basic, type), rule: 'basic', cell: rule.basic, type };
  }
  const vr = element.vr;
  if (vr === 'SQ') return undefined;
  if (vr === 'UI') return CLASS_UID_TAGS[tag] !== undefined || context.retainUIDs ? undefined : UID;
  if (vr === 'PN') return PERSON_NAME;
  if (DATE_VRS.has(vr)) {
    if (context.shiftDates) return DATE_SHIFT;
    if (context.keepDates) return undefined;
    if (mode === 'dummy') return IN_DUMMY_SEQUENCE;
    return vr === 'TM' ? undefined : DATE;
  }
  if (mode === 'dummy' && (FREE_TEXT_VRS.has(vr) || vr === 'AS')) return IN_DUMMY_SEQUENCE;
  if (FREE_TEXT_VRS.has(vr)) return SCRUB;
  return undefined;
}
