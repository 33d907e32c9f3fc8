import { DicomError, iodOfSopClass, transferSyntaxInfo, type DataElement, type Dataset, type DicomFile, type TextElement } from '@dicom-tools/core';
import { IOD_ATTRIBUTE_TYPES } from './_generated/iod-types.js';
import { PROFILE_OPTION_NAMES, type ActionCode, type ProfileOptionName } from './_generated/profile-table.js';
import type { AnonymizeCache } from './anonymize-cache.js';
import { burnedInRisk } from './_burned-in.js';
import { keyedInt } from './_keyed.js';
import { deidentificationMarkers } from './_markers.js';
import { createScrubber } from './_scrub.js';
import { valuesForReport } from './_values.js';
import { createWalkState, finishWalk, patientKey, walkDataset, type WalkSettings } from './_walk.js';
import type { AnonymizeAction, AnonymizeReport } from './report.js';
import { isWellKnownUid, remapUid, type Secret } from './uid-remap.js';

/** Options of {@link anonymize}. */
export interface AnonymizeOptions {
  /**
   * The secret that keys every replacement (UIDs, patient pseudonyms, date shifts): the same secret gives the
   * same results on any machine, so files anonymized apart still agree. Keep it secret: with it, pseudonyms can
   * be linked back to the patient IDs they came from.
   */
  readonly secret: Secret;
  /** `basic` (PS3.15 Basic Application Level Confidentiality Profile) or `seed` (the same, with the seed's visible values). Default `basic`. */
  readonly profile?: 'basic' | 'seed';
  /** PS3.15 E.3 options; each overrides the Basic Profile in its column of Table E.1-1. Default none. */
  readonly options?: readonly ProfileOptionName[];
  /** Prefix of the patient pseudonym written to Patient's Name and Patient ID. Default `ANON` (`ANON_` for `seed`). */
  readonly patientPrefix?: string;
  /**
   * With retainLongitudinalModifiedDates: the range, in whole days, of the per-patient date shift (keyed by the
   * secret and the Patient ID). Default [-3650, -365].
   */
  readonly dateShiftRange?: readonly [number, number];
  /**
   * A map the caller owns, filled with every UID replaced (original -> replacement); reuse it across a batch
   * and write it out (e.g. as CSV) only if the mapping is wanted. Mappings already in it are used as they are.
   */
  readonly uidMap?: Map<string, string>;
  /** Put original and new values (and the date shift) in the report. Default false: the report then holds no PHI. */
  readonly reportValues?: boolean;
  /**
   * List every action in the report's `actions`. Default true; false leaves `actions` empty (its `counts` are still
   * given): for a caller that needs only how many elements were removed, emptied, cleaned... (a little faster).
   */
  readonly listActions?: boolean;
  /**
   * Work kept from one call to the next ({@link createAnonymizeCache}): pass one cache to every call of a batch to
   * make each file cheaper. It changes no result. Default: nothing is kept.
   */
  readonly cache?: AnonymizeCache;
}

/** The result of {@link anonymize}. */
export interface AnonymizeResult {
  /** A new data set; the input is not changed. */
  readonly dataset: Dataset;
  readonly report: AnonymizeReport;
}

/** The result of {@link anonymizeFile}. */
export interface AnonymizeFileResult {
  /** A new file: the anonymized data set and a file meta group rebuilt to match it. */
  readonly file: DicomFile;
  readonly report: AnonymizeReport;
}

const DEFAULT_SHIFT: readonly [number, number] = [-3650, -365];
/** Options whose C keeps free text cleaned (only) of the identifying values found elsewhere in the data set. */
const TEXT_CLEANING: readonly ProfileOptionName[] = ['cleanDescriptors', 'cleanStructuredContent', 'cleanGraphics', 'retainDeviceIdentity', 'retainPatientCharacteristics'];

function invalid(message: string): DicomError {
  return new DicomError('CORE_INVALID_VALUE', message);
}

function checkOptions(options: AnonymizeOptions): { selected: ProfileOptionName[]; range: readonly [number, number]; prefix: string } {
  const secret = options.secret as unknown;
  if (!(typeof secret === 'string' || secret instanceof Uint8Array) || secret.length === 0) throw invalid('anonymize needs a non-empty secret (text or bytes)');
  const selected: ProfileOptionName[] = [];
  for (const option of options.options ?? []) {
    if (!(PROFILE_OPTION_NAMES as readonly string[]).includes(option)) throw invalid(`unknown profile option "${String(option)}": use one of ${PROFILE_OPTION_NAMES.join(', ')}`);
    if (!selected.includes(option)) selected.push(option);
  }
  selected.sort((a, b) => PROFILE_OPTION_NAMES.indexOf(a) - PROFILE_OPTION_NAMES.indexOf(b));
  if (selected.includes('retainLongitudinalFullDates') && selected.includes('retainLongitudinalModifiedDates')) {
    throw invalid('retainLongitudinalFullDates and retainLongitudinalModifiedDates exclude each other: choose one');
  }
  const range = options.dateShiftRange ?? DEFAULT_SHIFT;
  if (!Number.isSafeInteger(range[0]) || !Number.isSafeInteger(range[1]) || range[0] > range[1] || Math.abs(range[0]) > 36500 || Math.abs(range[1]) > 36500) {
    throw invalid('dateShiftRange must be two whole numbers of days [min, max], min <= max, within 100 years');
  }
  const profile = options.profile ?? 'basic';
  if (profile !== 'basic' && profile !== 'seed') throw invalid(`unknown profile "${String(profile)}": use basic or seed`);
  const prefix = options.patientPrefix ?? (profile === 'seed' ? 'ANON_' : 'ANON');
  if (prefix.length > 40 || /[\\^=\x00-\x1f\x7f]/.test(prefix)) throw invalid('patientPrefix must be at most 40 characters, without \\ ^ = or control characters');
  return { selected, range, prefix };
}

function firstText(dataset: Dataset, tag: number): string | undefined {
  const e = dataset.elements.get(tag);
  const v = e !== undefined && Array.isArray(e.value) ? (e.value as readonly unknown[])[0] : undefined;
  return typeof v === 'string' ? v.trim() : undefined;
}

/**
 * De-identifies a data set by PS3.15 Annex E: the Basic Application Level Confidentiality Profile (Table E.1-1,
 * generated from the standard) with the chosen options, applied to every element at every depth (every item of
 * every sequence, private sequences included). Instance UIDs become `2.25.` UIDs keyed by the secret; Patient's
 * Name and Patient ID a keyed pseudonym; private elements are removed (or, with retainSafePrivate, only those on
 * the safe-private list kept, matched by private creator); dates are emptied or removed, kept, or shifted per
 * patient as the options say. Patient Identity Removed, De-identification Method (and its code sequence) and
 * Longitudinal Temporal Information Modified are set. Pixel data is never changed, and Burned In Annotation is
 * never set to NO: instances likely to show burned-in text are flagged in the report instead.
 *
 * Pure: returns a new data set and a report; `dataset` is not changed. Throws CORE_INVALID_VALUE for bad options.
 */
export function anonymize(dataset: Dataset, options: AnonymizeOptions): AnonymizeResult {
  return anonymizeDataset(dataset, options, options.uidMap ?? new Map());
}

/** A report {@link anonymizeFile} adds the file meta actions to before anyone else sees it. */
type OwnReport = { -readonly [K in keyof AnonymizeReport]: AnonymizeReport[K] } & { actions: AnonymizeAction[]; counts: Record<ActionCode, number> };

/** {@link anonymize} with the UID map to use, returning a report its caller may still add to. */
function anonymizeDataset(dataset: Dataset, options: AnonymizeOptions, uidMap: Map<string, string>, littleEndian = true): { dataset: Dataset; report: OwnReport } {
  const { selected, range, prefix } = checkOptions(options);
  const seed = options.profile === 'seed';
  const sopClass = firstText(dataset, 0x00080016);
  const iod = sopClass !== undefined ? iodOfSopClass(sopClass) : undefined;
  const iodTypes = iod !== undefined ? IOD_ATTRIBUTE_TYPES[iod] : undefined;
  const shift = selected.includes('retainLongitudinalModifiedDates') ? keyedInt(options.secret, 'date-shift', patientKey(dataset), range[0], range[1], options.cache?.keyed) : undefined;
  const settings: WalkSettings = {
    options: selected,
    retainSafePrivate: selected.includes('retainSafePrivate'),
    retainUIDs: selected.includes('retainUIDs'),
    shiftDates: shift !== undefined,
    keepDates: selected.includes('retainLongitudinalFullDates'),
    seed,
    topTypes: iodTypes?.types,
    topComplete: iodTypes?.complete ?? false,
    secret: options.secret,
    patientPrefix: prefix,
    dateShiftDays: shift,
    scrubber: createScrubber(options.cache?.scrubbers),
    uidMap,
    reportValues: options.reportValues === true,
    listActions: options.listActions !== false,
    keyed: options.cache?.keyed,
    littleEndian,
  };
  const state = createWalkState();
  const walked = walkDataset(dataset, settings, state, '', 0, 'normal');
  const actions = finishWalk(settings, state);
  const longitudinal = selected.includes('retainLongitudinalFullDates') ? 'UNMODIFIED' : shift !== undefined ? 'MODIFIED' : 'REMOVED';
  for (const element of deidentificationMarkers(walked, { profile: seed ? 'seed' : 'basic', options: selected, longitudinal }, options.cache?.markers)) walked.elements.set(element.tag, element);
  if (selected.some((o) => TEXT_CLEANING.includes(o))) {
    state.warnings.add('free text kept by a clean option was cleaned only of identifying values found elsewhere in the data set: review it');
  }
  if (selected.includes('cleanGraphics')) state.warnings.add('overlays, curves and graphic annotations were kept (their text cleaned as above): check them for identifying marks');
  const report: OwnReport = {
    profile: seed ? 'seed' : 'basic',
    options: selected,
    actions,
    counts: state.counts,
    uidsReplaced: state.uidsReplaced,
    longitudinalTemporalInformation: longitudinal,
    ...(settings.reportValues && shift !== undefined ? { dateShiftDays: shift } : {}),
    burnedInRisk: burnedInRisk(dataset),
    warnings: [...state.warnings],
  };
  return { dataset: walked, report };
}

/** File meta elements that name the sending or receiving system, or carry private information: removed. */
const META_REMOVED = new Set([0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102]);

/**
 * {@link anonymize} for a whole file: the data set as above, and a file meta group rebuilt for it (Media Storage
 * SOP Instance UID follows the new SOP Instance UID; source, sending and receiving AE titles and private
 * information removed; the implementation UID and version are written by core's writer, which also zeroes the
 * preamble). The file meta actions are added to the report with paths `(0002,xxxx)`.
 */
export function anonymizeFile(file: DicomFile, options: AnonymizeOptions): AnonymizeFileResult {
  const uidMap = options.uidMap ?? new Map<string, string>();
  // The bytes of UN elements are in the file's byte order.
  const { dataset, report } = anonymizeDataset(file.dataset, options, uidMap, transferSyntaxInfo(file.transferSyntaxUID).littleEndian);
  const meta = new Map<number, DataElement>();
  const reportValues = options.reportValues === true;
  const listActions = options.listActions !== false;
  const selected = options.options ?? [];
  const keepDevice = selected.includes('retainDeviceIdentity');
  const keepUids = selected.includes('retainUIDs');
  for (const element of file.meta.elements.values()) {
    const tag = element.tag;
    if (tag === 0x00020003 && !keepUids) {
      const own = firstText(dataset, 0x00080018);
      const original = firstText(file.meta, 0x00020003) ?? '';
      let replacement = own !== undefined && own !== '' ? own : (uidMap.get(original) ?? original);
      if (replacement === original && original !== '' && !isWellKnownUid(original)) {
        replacement = remapUid(original, options.secret);
        uidMap.set(original, replacement);
      }
      const after: TextElement = { tag, vr: 'UI', value: [replacement] };
      meta.set(tag, after);
      if (replacement !== original) {
        report.uidsReplaced++;
        report.counts.U++;
        if (listActions) report.actions.push({ path: metaPath(tag), tag, action: 'U', rule: 'basic', ...(reportValues ? { before: [original], after: [replacement] } : {}) });
      }
      continue;
    }
    if (META_REMOVED.has(tag) && !(keepDevice && tag !== 0x00020100 && tag !== 0x00020102)) {
      report.counts.X++;
      if (listActions) report.actions.push({ path: metaPath(tag), tag, action: 'X', rule: 'file-meta', ...(reportValues ? { before: valuesForReport(element) } : {}) });
      continue;
    }
    meta.set(tag, element);
  }
  return {
    file: { meta: { elements: meta }, dataset, transferSyntaxUID: file.transferSyntaxUID, hadPreamble: file.hadPreamble },
    report,
  };
}

/** The report path of a file meta element: `(0002,xxxx)`. */
function metaPath(tag: number): string {
  return `(0002,${(tag & 0xffff).toString(16).toUpperCase().padStart(4, '0')})`;
}
