import initSqlJs from 'sql.js';
import { isBigIntVr, isNumberVr, isTextVr, keywordOf, lookupTag, readDicomFile, type DataElement, type Dataset } from '@dicom-tools/core';
import { matchesKey } from './_matching.js';
import type { QueryLevel } from './query.js';

/** Attribute values kept per instance, as text (`\` between values), by keyword. */
type Attributes = Record<string, string>;

interface Row {
  readonly sop: string;
  readonly series: string;
  readonly study: string;
  readonly patient: string;
  readonly path: string;
  readonly attrs: Attributes;
}

/** A Query/Retrieve index over a set of files, held in an in-memory SQLite database (sql.js). */
export interface QrIndex {
  /** Indexes (or re-indexes) one file; returns false when it is not a DICOM instance with UIDs. */
  add(path: string): Promise<boolean>;
  /** The matching entities at `level`, as C-FIND response identifiers holding the requested keys. */
  find(level: QueryLevel, identifier: Dataset): Dataset[];
  /** Paths of every instance under the entities matching at `level`. */
  paths(level: QueryLevel, identifier: Dataset): string[];
  /** Instances indexed. */
  readonly size: number;
  close(): void;
}

const LEVEL_COLUMN: Record<QueryLevel, keyof Row> = { PATIENT: 'patient', STUDY: 'study', SERIES: 'series', IMAGE: 'sop' };
const LEVEL_SQL: Record<QueryLevel, string> = { PATIENT: 'patient_id', STUDY: 'study_uid', SERIES: 'series_uid', IMAGE: 'sop_uid' };
const UID_COLUMN: Record<string, string> = { StudyInstanceUID: 'study_uid', SeriesInstanceUID: 'series_uid', SOPInstanceUID: 'sop_uid', PatientID: 'patient_id' };
/** Keys that are not attributes of the instances: answered, not matched. */
const SKIP = new Set(['QueryRetrieveLevel', 'SpecificCharacterSet']);
/** Attributes computed over the entity (PS3.4 C.3.4), not stored in the instances. */
const COMPUTED = new Set([
  'NumberOfPatientRelatedStudies', 'NumberOfPatientRelatedSeries', 'NumberOfPatientRelatedInstances', 'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances', 'NumberOfSeriesRelatedInstances', 'ModalitiesInStudy', 'SOPClassesInStudy',
]);
const MAX_VALUE = 1024;

function textOf(element: DataElement): string | undefined {
  if (isTextVr(element.vr) || isNumberVr(element.vr) || isBigIntVr(element.vr)) {
    const text = (element.value as readonly unknown[]).map(String).join('\\');
    return text.length <= MAX_VALUE ? text : undefined;
  }
  return undefined;
}

/** The attributes of an instance worth indexing: top-level text and numeric elements with a keyword. */
function attributesOf(dataset: Dataset): Attributes {
  const out: Attributes = {};
  for (const element of dataset.elements.values()) {
    const keyword = keywordOf(element.tag);
    if (keyword === undefined || keyword === '') continue;
    const text = textOf(element);
    if (text !== undefined) out[keyword] = text;
  }
  return out;
}

/** A requested key: its keyword, VR, and matching value (empty = return key only). */
interface Key {
  readonly keyword: string;
  readonly tag: number;
  readonly vr: string;
  readonly pattern: string;
}

function keysOf(identifier: Dataset): Key[] {
  const keys: Key[] = [];
  for (const element of identifier.elements.values()) {
    const keyword = keywordOf(element.tag);
    if (keyword === undefined || keyword === '') continue;
    keys.push({ keyword, tag: element.tag, vr: element.vr, pattern: element.vr === 'SQ' ? '' : (textOf(element) ?? '') });
  }
  return keys;
}

function responseElement(key: Key, text: string | undefined): DataElement {
  const info = lookupTag(key.tag);
  const vr = (key.vr === 'UN' ? info?.vr ?? 'UN' : key.vr) as DataElement['vr'];
  const parts = text === undefined || text === '' ? [] : text.split('\\');
  if (vr === 'SQ') return { tag: key.tag, vr: 'SQ', value: [] };
  if (isTextVr(vr)) return { tag: key.tag, vr, value: parts } as DataElement;
  if (isNumberVr(vr)) return { tag: key.tag, vr, value: parts.map(Number) } as DataElement;
  if (isBigIntVr(vr)) return { tag: key.tag, vr, value: parts.map((p) => BigInt(p)) } as DataElement;
  return { tag: key.tag, vr: 'OB', value: new Uint8Array(0) } as DataElement;
}

/** Creates an empty index (loads SQLite as WebAssembly). */
export async function createQrIndex(): Promise<QrIndex> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE instances (sop_uid TEXT PRIMARY KEY, series_uid TEXT, study_uid TEXT, patient_id TEXT, path TEXT, attrs TEXT);
    CREATE INDEX by_series ON instances(series_uid); CREATE INDEX by_study ON instances(study_uid); CREATE INDEX by_patient ON instances(patient_id);`);
  db.create_function('dicom_match', (value: string | null, pattern: string, vr: string) => (matchesKey(value ?? undefined, pattern, vr) ? 1 : 0));
  const insert = db.prepare('INSERT OR REPLACE INTO instances VALUES (?, ?, ?, ?, ?, ?)');
  let size = 0;

  /** The WHERE clause of a query: UID keys on their indexed columns, other keys through dicom_match. */
  const where = (identifier: Dataset): { clause: string; params: string[] } => {
    const parts: string[] = [];
    const params: string[] = [];
    for (const key of keysOf(identifier)) {
      if (key.pattern === '' || key.pattern === '*' || SKIP.has(key.keyword) || COMPUTED.has(key.keyword)) continue;
      const column = UID_COLUMN[key.keyword];
      if (column !== undefined && !/[*?]/.test(key.pattern) && (key.vr === 'UI' || !key.pattern.includes('\\'))) {
        const list = key.pattern.split('\\');
        parts.push(`${column} IN (${list.map(() => '?').join(', ')})`);
        params.push(...list);
        continue;
      }
      // json_extract (native) hands the one value to the JavaScript matcher.
      parts.push(`dicom_match(json_extract(attrs, ?), ?, ?)`);
      params.push(`$.${key.keyword}`, key.pattern, key.vr);
    }
    return { clause: parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '', params };
  };

  const rowsOf = (sql: string, params: readonly string[]): Row[] => {
    const rows: Row[] = [];
    const statement = db.prepare(sql, [...params]);
    try {
      while (statement.step()) {
        const [sop, series, study, patient, path, attrs] = statement.get() as string[];
        rows.push({ sop: sop!, series: series!, study: study!, patient: patient!, path: path!, attrs: JSON.parse(attrs!) as Attributes });
      }
    } finally {
      statement.free();
    }
    return rows;
  };

  /** One representative instance per matching entity at `level` (the first indexed), in index order. */
  const select = (identifier: Dataset, level: QueryLevel): Row[] => {
    const { clause, params } = where(identifier);
    const column = LEVEL_SQL[level];
    return rowsOf(
      `SELECT sop_uid, series_uid, study_uid, patient_id, path, attrs FROM instances WHERE rowid IN (SELECT MIN(rowid) FROM instances${clause} GROUP BY ${column}) ORDER BY rowid`,
      params,
    );
  };

  const scalar = (sql: string, param: string): number => {
    const result = db.exec(sql, [param]);
    return Number(result[0]?.values[0]?.[0] ?? 0);
  };
  const distinct = (sql: string, param: string): string[] => (db.exec(sql, [param])[0]?.values ?? []).map((v) => String(v[0] ?? '')).filter((v) => v !== '');

  const computed = (keyword: string, row: Row): string | undefined => {
    switch (keyword) {
      case 'NumberOfPatientRelatedStudies': return String(scalar('SELECT COUNT(DISTINCT study_uid) FROM instances WHERE patient_id = ?', row.patient));
      case 'NumberOfPatientRelatedSeries': return String(scalar('SELECT COUNT(DISTINCT series_uid) FROM instances WHERE patient_id = ?', row.patient));
      case 'NumberOfPatientRelatedInstances': return String(scalar('SELECT COUNT(*) FROM instances WHERE patient_id = ?', row.patient));
      case 'NumberOfStudyRelatedSeries': return String(scalar('SELECT COUNT(DISTINCT series_uid) FROM instances WHERE study_uid = ?', row.study));
      case 'NumberOfStudyRelatedInstances': return String(scalar('SELECT COUNT(*) FROM instances WHERE study_uid = ?', row.study));
      case 'NumberOfSeriesRelatedInstances': return String(scalar('SELECT COUNT(*) FROM instances WHERE series_uid = ?', row.series));
      case 'ModalitiesInStudy': return distinct("SELECT DISTINCT json_extract(attrs, '$.Modality') FROM instances WHERE study_uid = ? ORDER BY 1", row.study).join('\\');
      case 'SOPClassesInStudy': return distinct("SELECT DISTINCT json_extract(attrs, '$.SOPClassUID') FROM instances WHERE study_uid = ? ORDER BY 1", row.study).join('\\');
      default: return undefined;
    }
  };

  const entities = (level: QueryLevel, identifier: Dataset): Row[] => {
    const column = LEVEL_COLUMN[level];
    const seen = new Map<string, Row>();
    const modalities = identifier.elements.get(0x00080061);
    const wanted = modalities ? textOf(modalities) ?? '' : '';
    for (const row of select(identifier, level)) {
      const id = row[column] as string;
      if (seen.has(id)) continue;
      // ModalitiesInStudy matches a study when any of its series has one of the listed modalities.
      if (wanted !== '' && level === 'STUDY' && !wanted.split('\\').some((m) => matchesKey(computed('ModalitiesInStudy', row), m, 'CS'))) continue;
      seen.set(id, row);
    }
    return [...seen.values()];
  };

  return {
    get size() {
      return size;
    },
    async add(path) {
      let dataset: Dataset;
      try {
        dataset = (await readDicomFile(path, { stopBeforePixelData: true })).dataset;
      } catch {
        return false;
      }
      const attrs = attributesOf(dataset);
      const sop = attrs['SOPInstanceUID'];
      if (sop === undefined || sop === '') return false;
      const before = scalar('SELECT COUNT(*) FROM instances WHERE sop_uid = ?', sop);
      insert.run([sop, attrs['SeriesInstanceUID'] ?? '', attrs['StudyInstanceUID'] ?? '', attrs['PatientID'] ?? '', path, JSON.stringify(attrs)]);
      if (before === 0) size++;
      return true;
    },
    find(level, identifier) {
      const keys = keysOf(identifier);
      const nonAscii = /[^\x00-\x7f]/;
      return entities(level, identifier).map((row) => {
        const elements = new Map<number, DataElement>();
        let wide = false;
        for (const key of keys) {
          if (key.keyword === 'SpecificCharacterSet') continue;
          const text = key.keyword === 'QueryRetrieveLevel' ? level : COMPUTED.has(key.keyword) ? computed(key.keyword, row) : row.attrs[key.keyword];
          if (text !== undefined && nonAscii.test(text)) wide = true;
          elements.set(key.tag, responseElement(key, text));
        }
        elements.set(0x00080052, { tag: 0x00080052, vr: 'CS', value: [level] });
        // Values were decoded from each file's character set; non-ASCII text is sent as UTF-8.
        if (wide) elements.set(0x00080005, { tag: 0x00080005, vr: 'CS', value: ['ISO_IR 192'] });
        return { elements };
      });
    },
    paths(level, identifier) {
      const column = LEVEL_SQL[level];
      const out: string[] = [];
      for (const row of entities(level, identifier)) {
        const id = row[LEVEL_COLUMN[level]] as string;
        const result = db.exec(`SELECT path FROM instances WHERE ${column} = ? ORDER BY rowid`, [id]);
        for (const v of result[0]?.values ?? []) out.push(String(v[0]));
      }
      return out;
    },
    close() {
      insert.free();
      db.close();
    },
  };
}
