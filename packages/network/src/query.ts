import { DicomError, isTextVr, lookupTag, parseTagPath, type DataElement, type Dataset, type Vr } from '@dicom-tools/core';
import { SopClass } from './sop-classes.js';

/** Query/Retrieve Level (0008,0052). */
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
/** Information model: patient root or study root. */
export type QueryModel = 'patient' | 'study';

/** Query keys as text: keyword or tag (or a path `Seq[0].Keyword`) to value; `''` or null asks for the value (a return key). */
export type QueryKeys = Readonly<Record<string, string | number | null | readonly string[]>>;

/** A C-FIND, C-MOVE or C-GET query: the level, the model, and the keys. */
export interface Query {
  /** Query/Retrieve Level; not used for a worklist query. */
  readonly level?: QueryLevel;
  /** Default `study`. */
  readonly model?: QueryModel;
  /** The identifier: a data set, or keys as text (see {@link queryIdentifier}). */
  readonly keys: Dataset | QueryKeys;
}

const LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** Parses a level name, case-insensitive; `instance` is taken for IMAGE. Throws CORE_INVALID_VALUE. */
export function parseQueryLevel(text: string): QueryLevel {
  const upper = text.toUpperCase() === 'INSTANCE' ? 'IMAGE' : text.toUpperCase();
  if (!(LEVELS as readonly string[]).includes(upper)) throw new DicomError('CORE_INVALID_VALUE', `unknown query level "${text}": use patient, study, series or image`);
  return upper as QueryLevel;
}

/** The C-FIND, C-MOVE and C-GET SOP classes of a model. */
export function modelSopClasses(model: QueryModel = 'study'): { find: string; move: string; get: string } {
  return model === 'patient'
    ? { find: SopClass.PatientRootFind, move: SopClass.PatientRootMove, get: SopClass.PatientRootGet }
    : { find: SopClass.StudyRootFind, move: SopClass.StudyRootMove, get: SopClass.StudyRootGet };
}

function vrOf(tag: number, path: string): Vr {
  const info = lookupTag(tag);
  if (!info || info.vr === 'NONE' || info.private) throw new DicomError('CORE_INVALID_TAG', `${path} is not in the data dictionary: give it as a data set with its VR`, { tag });
  return info.vr;
}

function element(tag: number, vr: Vr, value: string | number | null | readonly string[], path: string): DataElement {
  const texts = value === null ? [] : Array.isArray(value) ? (value as readonly string[]) : String(value) === '' ? [] : String(value).split('\\');
  if (vr === 'SQ') {
    if (texts.length > 0) throw new DicomError('CORE_INVALID_VALUE', `${path} is a sequence: give its items' keys as ${path}[0].Keyword`, { tag });
    return { tag, vr, value: [] };
  }
  if (isTextVr(vr)) return { tag, vr, value: texts } as DataElement;
  if (vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL' || vr === 'FL' || vr === 'FD') {
    const numbers = texts.map(Number);
    if (numbers.some((n) => !Number.isFinite(n))) throw new DicomError('CORE_INVALID_VALUE', `${path} takes numbers`, { tag });
    return { tag, vr, value: numbers };
  }
  if (vr === 'AT') return { tag, vr, value: texts.map((t) => parseInt(t, 16) >>> 0) };
  if (texts.length > 0) throw new DicomError('CORE_INVALID_VALUE', `${path} (${vr}) cannot be a matching key; ask for it with an empty value`, { tag });
  return { tag, vr, value: new Uint8Array(0) } as DataElement;
}

/**
 * Builds a query identifier from text keys, without the checks a stored value gets: wildcards (`DOE*`), ranges
 * (`20200101-20201231`) and UID lists (`1.2\\1.3`) are matching syntax, not values. A path
 * `ScheduledProcedureStepSequence[0].Modality` puts a key inside a sequence item; an empty value asks for the
 * attribute to be returned. Throws CORE_INVALID_TAG for an unknown keyword.
 */
export function queryIdentifier(keys: QueryKeys): Dataset {
  const root: Dataset = { elements: new Map() };
  for (const [path, value] of Object.entries(keys)) {
    const steps = parseTagPath(path);
    let holder = root;
    for (const step of steps.slice(0, -1)) {
      const existing = holder.elements.get(step.tag);
      const items = existing?.vr === 'SQ' ? [...existing.value] : [];
      const index = step.item ?? 0;
      while (items.length <= index) items.push({ elements: new Map() });
      holder.elements.set(step.tag, { tag: step.tag, vr: 'SQ', value: items });
      holder = items[index]!;
    }
    const last = steps[steps.length - 1]!;
    holder.elements.set(last.tag, element(last.tag, vrOf(last.tag, path), value, path));
  }
  return root;
}

/** The identifier of a query as a data set, with Query/Retrieve Level set when a level is given. */
export function identifierOf(query: Query): Dataset {
  const base = 'elements' in query.keys ? (query.keys as Dataset) : queryIdentifier(query.keys as QueryKeys);
  const elements = new Map(base.elements);
  if (query.level !== undefined) elements.set(0x00080052, { tag: 0x00080052, vr: 'CS', value: [query.level] });
  return { elements };
}
