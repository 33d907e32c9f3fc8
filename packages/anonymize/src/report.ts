import type { ActionCode, BasicProfileCode, ProfileOptionName } from './_generated/profile-table.js';
import type { AttributeType } from './_generated/iod-types.js';

/**
 * Why an element was treated as it was:
 * - `basic`: its row of PS3.15 Table E.1-1, Basic Profile column; an option name: that option's column.
 * - `pseudonym`: Patient's Name / Patient ID, replaced by the keyed pseudonym (a D, which Z and Z/D allow).
 * - `private`: a private element (Table E.1-1's odd-group row); `private-creator`: its block's creator.
 * - `uid`: a UI value Table E.1-1 does not list, remapped because it is not a well-known UID.
 * - `person-name`: a PN attribute Table E.1-1 does not list, removed (this package's rule, not the table's).
 * - `date-shift`: a DA/DT/TM Table E.1-1 does not list, shifted under retainLongitudinalModifiedDates.
 * - `date`: a DA/DT Table E.1-1 does not list, emptied when no date option keeps dates (the data set is then
 *   marked REMOVED, so no date may stay).
 * - `in-dummy-sequence`: free text, dates and ages inside a sequence the table replaces with dummies (D).
 * - `scrub`: free text the table keeps (or does not list), cleaned of identifying values the profile removed from
 *   elsewhere in the data set (a description repeating the patient's name, a code meaning repeating the study
 *   description...).
 * - `group-length`: a group length element, removed (it would be wrong after the changes).
 * - `seed`: the `seed` preset's fixed value.
 * - `file-meta`: a file meta element that could identify the sender (source/sending AE, private information).
 */
export type ActionRule =
  | 'basic' | ProfileOptionName | 'pseudonym' | 'private' | 'private-creator' | 'uid' | 'person-name' | 'date-shift'
  | 'date' | 'in-dummy-sequence' | 'scrub' | 'group-length' | 'seed' | 'file-meta';

/** One thing done to one element. Values appear only when the caller asked for them (`reportValues`). */
export interface AnonymizeAction {
  /** Where: `RequestAttributesSequence[0].RequestedProcedureID`, `(0009,1002)`, `(0002,0016)` for the file meta. */
  readonly path: string;
  readonly tag: number;
  /** What was done: D dummy, Z emptied, X removed, K kept, C cleaned (dates shifted, text cleaned), U UIDs replaced. */
  readonly action: ActionCode;
  readonly rule: ActionRule;
  /** The Table E.1-1 cell when it depends on the Type (`X/Z/D`). */
  readonly cell?: BasicProfileCode;
  /** The Type that resolved `cell`: from the IOD's module tables, or `unknown` (the documented fallback). */
  readonly type?: AttributeType | 'unknown';
  /** The original values, only with `reportValues` (binary values as `<n bytes>`). */
  readonly before?: readonly string[];
  /** The values written, only with `reportValues`; absent when the element was removed. */
  readonly after?: readonly string[];
}

/** Why the pixel data may show identifying text: never claimed clean, only flagged. */
export type BurnedInReason = 'burned-in-annotation-yes' | 'secondary-capture' | 'ultrasound' | 'secondary-image-type' | 'screen-save';

/** What `anonymize` did to one data set. Holds no original value unless the caller asked (`reportValues`). */
export interface AnonymizeReport {
  /** `basic`, or the `seed` compatibility preset (the Basic Profile with the seed's visible values). */
  readonly profile: 'basic' | 'seed';
  /** The PS3.15 options applied. */
  readonly options: readonly ProfileOptionName[];
  /**
   * Every element changed, removed, or kept by an option's K, in the order met (the actions inside a sequence's
   * items come just before the sequence's own).
   */
  readonly actions: readonly AnonymizeAction[];
  /**
   * How many actions of each code were taken (what counting `actions` by `action` gives; also when the caller asked
   * for no list, `listActions: false`).
   */
  readonly counts: Readonly<Record<ActionCode, number>>;
  /** How many UID values were replaced (each occurrence counts). */
  readonly uidsReplaced: number;
  /** What (0028,0303) Longitudinal Temporal Information Modified was set to. */
  readonly longitudinalTemporalInformation: 'REMOVED' | 'MODIFIED' | 'UNMODIFIED';
  /** The per-patient date shift in days, only with `reportValues` (it would undo the shift). */
  readonly dateShiftDays?: number;
  /** Why the pixels may carry burned-in identifying text; empty when nothing suggests it. The pixels are never changed. */
  readonly burnedInRisk: readonly BurnedInReason[];
  /** Things a person should review (free text cleaned only of identifiers found in the data set, graphics kept...). */
  readonly warnings: readonly string[];
}
