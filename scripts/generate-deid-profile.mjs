#!/usr/bin/env node
// Generates packages/anonymize/src/_generated/*.ts, the tables @dicom-tools/anonymize de-identifies by:
//   profile-table.ts  PS3.15 Table E.1-1 (Application Level Confidentiality Profile Attributes): the Basic Profile
//                     action and every option column, per tag, plus the wildcard rows as patterns. Source:
//                     shared/standard/confidentiality_profile_attributes.json (innolitics/dicom-standard commit 7f4749d,
//                     edition 2024b-era).
//   safe-private.ts   PS3.15 Table E.3.10-1 (Safe Private Attributes), keyed by private creator, group and element
//                     offset. Source: shared/standard/safe_private_attributes.json (PS3.15 2023b).
//   iod-types.ts      For the rows whose action depends on the attribute's Type (Z/D, X/Z, X/D, X/Z/D, X/Z/U*): the
//                     Type of that attribute at the top level of each IOD. IOD -> modules from ciods.json and
//                     ciod_to_modules.json (edition 2024b-era); module attributes and Types from gdcm-part3-2008.xml
//                     (PS3.3 edition 2008, as shipped by GDCM 3.0.21), so modules added since 2008 are missing and an
//                     IOD using one is marked incomplete.
//   class-uids.ts     The UI attributes whose values name a class, syntax or scheme rather than an instance (SOP
//                     Class UIDs, Transfer Syntax UIDs, Coding Scheme UID...), which are never remapped; chosen by
//                     keyword from shared/standard/attributes.json (PS3.6, edition 2024b-era).
// Well-known UIDs (PS3.6 Annex A, gdcm-uids.xml) are not repeated here: @dicom-tools/core's UID registry, generated
// from the same file by scripts/generate-uids.mjs, answers that.
// Usage: node scripts/generate-deid-profile.mjs [path/to/standard]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const standardDir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'standard'));
const outDir = join(root, 'packages', 'anonymize', 'src', '_generated');
const read = (name) => readFileSync(join(standardDir, name), 'utf8');
const hex8 = (n) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
const byString = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Option name (our API, PS3.15 E.3 wording) -> column of the innolitics extract. Order: PS3.15 Table E.1-1. */
const OPTION_COLUMNS = [
  ['retainSafePrivate', 'rtnSafePrivOpt'],
  ['retainUIDs', 'rtnUIDsOpt'],
  ['retainDeviceIdentity', 'rtnDevIdOpt'],
  ['retainInstitutionIdentity', 'rtnInstIdOpt'],
  ['retainPatientCharacteristics', 'rtnPatCharsOpt'],
  ['retainLongitudinalFullDates', 'rtnLongFullDatesOpt'],
  ['retainLongitudinalModifiedDates', 'rtnLongModifDatesOpt'],
  ['cleanDescriptors', 'cleanDescOpt'],
  ['cleanStructuredContent', 'cleanStructContOpt'],
  ['cleanGraphics', 'cleanGraphOpt'],
];
const BASIC_CODES = new Set(['D', 'Z', 'X', 'K', 'C', 'U', 'Z/D', 'X/Z', 'X/D', 'X/Z/D', 'X/Z/U*']);
const OPTION_CODES = new Set(['K', 'C']);

// ---------------------------------------------------------------- E.1-1
const rows = JSON.parse(read('confidentiality_profile_attributes.json'));
const exact = [];
const patterns = [];
let privateRow;
for (const row of rows) {
  if (!BASIC_CODES.has(row.basicProfile)) throw new Error(`${row.tag}: unknown Basic Profile action ${row.basicProfile}`);
  const rule = { name: row.name.replace(/\(see Notes? [^)]*\)/g, '').replace(/\s+/g, ' ').trim(), basic: row.basicProfile };
  for (const [option, column] of OPTION_COLUMNS) {
    const code = row[column];
    if (code === undefined) continue;
    if (!OPTION_CODES.has(code)) throw new Error(`${row.tag}: unknown ${column} action ${code}`);
    rule[option] = code;
  }
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/.exec(row.tag);
  if (m) {
    exact.push({ tag: parseInt(m[1] + m[2], 16), id: row.tag, rule });
    continue;
  }
  const wild = /^\(([0-9A-F]{2})XX,([0-9A-FX]{4})\)$/.exec(row.tag);
  if (wild) {
    const element = wild[2] === 'XXXX' ? undefined : parseInt(wild[2], 16);
    const mask = element === undefined ? 0xff000000 : 0xff00ffff;
    const value = (parseInt(wild[1], 16) << 24) | (element ?? 0);
    patterns.push({ id: row.tag, mask: mask >>> 0, value: value >>> 0, rule });
    continue;
  }
  if (/^\(GGGG,EEEE\) WHERE GGGG IS ODD$/.test(row.tag)) {
    privateRow = { id: row.tag, rule };
    continue;
  }
  throw new Error(`unrecognised tag form in E.1-1: ${row.tag}`);
}
if (privateRow === undefined) throw new Error('E.1-1 has no private attributes row');
exact.sort((a, b) => a.tag - b.tag);
const duplicate = exact.find((e, i) => i > 0 && exact[i - 1].tag === e.tag);
if (duplicate) throw new Error(`E.1-1 lists ${duplicate.id} twice`);

const ruleLiteral = (rule) => {
  const parts = [`name: ${JSON.stringify(rule.name)}`, `basic: ${JSON.stringify(rule.basic)}`];
  for (const [option] of OPTION_COLUMNS) if (rule[option] !== undefined) parts.push(`${option}: ${JSON.stringify(rule[option])}`);
  return `{ ${parts.join(', ')} }`;
};

const HEADER = (what, sources) => `// GENERATED by scripts/generate-deid-profile.mjs: ${what}
${sources.map((s) => `// ${s}`).join('\n')}
// Do not edit by hand: re-run \`pnpm generate\`.
`;

let profile = HEADER('PS3.15 Table E.1-1, Application Level Confidentiality Profile Attributes.', [
  'Source: shared/standard/confidentiality_profile_attributes.json (innolitics/dicom-standard commit 7f4749d, DICOM',
  `edition 2024b-era): ${rows.length} rows, ${exact.length} single tags, ${patterns.length} repeating-group patterns, 1 private-attributes row.`,
]);
profile += `
/** An action code of PS3.15 Table E.1-1 (E.1.1): D dummy, Z zero length, X remove, K keep, C clean, U replace UID. */
export type ActionCode = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';

/** A Basic Profile cell: a single action, or one that depends on the attribute's Type in the IOD. */
export type BasicProfileCode = ActionCode | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** The profile options of PS3.15 E.3, by the names this package uses, in the column order of Table E.1-1. */
export const PROFILE_OPTION_NAMES = [${OPTION_COLUMNS.map(([o]) => JSON.stringify(o)).join(', ')}] as const;

/** One of {@link PROFILE_OPTION_NAMES}. */
export type ProfileOptionName = (typeof PROFILE_OPTION_NAMES)[number];

/** One row of Table E.1-1: the attribute's name, its Basic Profile action, and the action of each option that names it. */
export type ProfileRule = { readonly name: string; readonly basic: BasicProfileCode } & { readonly [K in ProfileOptionName]?: 'K' | 'C' };

/** The rows of Table E.1-1 that name one tag, by tag. */
export const PROFILE_RULES: Readonly<Record<number, ProfileRule>> = {
`;
for (const e of exact) profile += `  ${hex8(e.tag)}: ${ruleLiteral(e.rule)},\n`;
profile += `};

/** The repeating-group rows of Table E.1-1 (curves, overlays): a tag matches when \`(tag & mask) === value\` in an even group. */
export const PROFILE_PATTERNS: readonly { readonly id: string; readonly mask: number; readonly value: number; readonly rule: ProfileRule }[] = [
`;
for (const p of patterns) profile += `  { id: ${JSON.stringify(p.id)}, mask: ${hex8(p.mask)}, value: ${hex8(p.value)}, rule: ${ruleLiteral(p.rule)} },\n`;
profile += `];

/** The row of Table E.1-1 for every private attribute, ${privateRow.id}. */
export const PRIVATE_RULE: ProfileRule = ${ruleLiteral(privateRow.rule)};

/** How many rows Table E.1-1 has in the source (single tags + patterns + the private row). */
export const PROFILE_ROW_COUNT = ${rows.length};
`;

// ---------------------------------------------------------------- E.3.10-1
const safe = JSON.parse(read('safe_private_attributes.json'));
const safeKeys = new Map();
for (const row of safe.rows) {
  const m = /^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$/.exec(row.dataElement);
  if (!m) throw new Error(`safe private element not of the form (gggg,xxee): ${row.dataElement}`);
  const group = parseInt(m[1], 16);
  if ((group & 1) !== 1) throw new Error(`safe private element in an even group: ${row.dataElement}`);
  const key = `${row.privateCreator}|${m[1].toUpperCase()}|${m[2].toUpperCase()}`;
  safeKeys.set(key, row.vr);
}
let safeOut = HEADER('PS3.15 Table E.3.10-1, Safe Private Attributes (for the Retain Safe Private Option).', [
  `Source: shared/standard/safe_private_attributes.json (${safe.source}): ${safe.rows.length} rows.`,
]);
safeOut += `
/**
 * The safe private attributes, keyed \`<private creator>|<group GGGG>|<element offset EE>\` (upper-case hex; the
 * element offset is the low byte of the element number, whatever block the creator reserved), with the VR the
 * standard gives (\`''\` where it gives none).
 */
export const SAFE_PRIVATE_ATTRIBUTES: Readonly<Record<string, string>> = {
`;
for (const key of [...safeKeys.keys()].sort(byString)) safeOut += `  ${JSON.stringify(key)}: ${JSON.stringify(safeKeys.get(key))},\n`;
safeOut += '};\n';

// ---------------------------------------------------------------- IOD Types
const xml = read('gdcm-part3-2008.xml');
const edition = /<tables edition="([^"]+)"/.exec(xml)?.[1];
if (edition !== '2008') throw new Error(`unexpected PS3.3 edition in gdcm-part3-2008.xml: ${edition}`);
const decode = (s) => s.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const normName = (s) => decode(s).replace(/[-\u2013\u2014]/g, ' ').replace(/\s+/g, ' ').replace(/ Module Attributes$| Module$/, '').trim().toLowerCase();
const gdcmModules = new Map();
for (const m of xml.matchAll(/<module ref="[^"]*" table="([^"]*)" name="([^"]*)">/g)) {
  const end = xml.indexOf('</module>', m.index);
  gdcmModules.set(normName(m[2]), { table: m[1], body: xml.slice(m.index + m[0].length, end) });
}
function macroBody(table) {
  const open = new RegExp(`<macro [^>]*table="${table.replace(/\./g, '\\.')}"[^>]*>`).exec(xml);
  if (!open) return undefined;
  return xml.slice(open.index + open[0].length, xml.indexOf('</macro>', open.index));
}
/** Top-level entries (tag, Type) of a module body, following top-level macro includes. */
function topLevel(body, seen) {
  const out = [];
  for (const m of body.matchAll(/<entry group="([0-9A-Fa-fx]{4})" element="([0-9A-Fa-fx]{4})" name="([^"]*)"(?: type="([^"]*)")?|<include ref="([^"]*)"/g)) {
    if (m[5] !== undefined) {
      const ref = decode(m[5]).trim();
      if (ref.startsWith('>')) continue;
      const table = /Table\s*\(?\s*([A-Za-z0-9.\-]+?)\)?\.?\s*$/.exec(ref)?.[1];
      if (table === undefined || seen.has(table)) continue;
      const macro = macroBody(table);
      if (macro !== undefined) out.push(...topLevel(macro, new Set([...seen, table])));
      continue;
    }
    if (decode(m[3]).startsWith('>') || /x/i.test(m[1] + m[2]) || m[4] === undefined) continue;
    out.push({ tag: parseInt(m[1] + m[2], 16), type: m[4].trim().toUpperCase() });
  }
  return out;
}
const TYPE_RANK = { 1: 0, '1C': 1, 2: 2, '2C': 3, 3: 4 };
const typed = new Set(exact.filter((e) => e.rule.basic.includes('/')).map((e) => e.tag));
const moduleNames = new Map(JSON.parse(read('modules.json')).map((m) => [m.id, m.name]));
const links = JSON.parse(read('ciod_to_modules.json'));
const ciods = JSON.parse(read('ciods.json')).sort((a, b) => byString(a.name, b.name));
const iodTypes = [];
let complete = 0;
for (const ciod of ciods) {
  const used = links.filter((l) => l.ciodId === ciod.id);
  const types = new Map();
  let missing = 0;
  for (const link of used) {
    const module = gdcmModules.get(normName(moduleNames.get(link.moduleId) ?? link.moduleId));
    if (module === undefined) {
      missing++;
      continue;
    }
    for (const { tag, type } of topLevel(module.body, new Set())) {
      if (!typed.has(tag) || !(type in TYPE_RANK)) continue;
      const prev = types.get(tag);
      if (prev === undefined || TYPE_RANK[type] < TYPE_RANK[prev]) types.set(tag, type);
    }
  }
  if (missing === 0) complete++;
  iodTypes.push({ name: ciod.name, complete: missing === 0, types: [...types.entries()].sort((a, b) => a[0] - b[0]) });
}
let iodOut = HEADER('the Type of each attribute whose Table E.1-1 action depends on it, per IOD.', [
  'IOD -> modules: shared/standard/ciods.json and ciod_to_modules.json (PS3.3, innolitics/dicom-standard commit 7f4749d,',
  'edition 2024b-era). Module attributes and their Types: shared/standard/gdcm-part3-2008.xml (PS3.3 edition 2008, as',
  'shipped by GDCM 3.0.21), top-level attributes only (top-level macro includes followed). Where an attribute is in',
  'several modules of an IOD, the strictest Type wins. Attributes of modules added after 2008 are missing.',
  `${ciods.length} IODs, ${complete} with every module found in the 2008 tables; ${typed.size} Type-dependent rows.`,
]);
iodOut += `
/** A PS3.3 attribute Type. */
export type AttributeType = '1' | '1C' | '2' | '2C' | '3';

/**
 * Per IOD (by name, as core's \`iodOfSopClass\` gives it): \`complete\` when every module the IOD uses was found in
 * the 2008 tables (so an attribute absent from \`types\` is not at the top level of the IOD, i.e. at most Type 3),
 * and the Type of each Type-dependent attribute the IOD has at the top level.
 */
export const IOD_ATTRIBUTE_TYPES: Readonly<Record<string, { readonly complete: boolean; readonly types: Readonly<Record<number, AttributeType>> }>> = {
`;
for (const iod of iodTypes) {
  iodOut += `  ${JSON.stringify(iod.name)}: { complete: ${iod.complete}, types: { ${iod.types.map(([t, ty]) => `${hex8(t)}: '${ty}'`).join(', ')} } },\n`;
}
iodOut += '};\n';

// ---------------------------------------------------------------- class UIDs
const attributes = JSON.parse(read('attributes.json'));
const CLASS_KEYWORD = /SOPClass|ClassUID$|TransferSyntaxUID|^CodingSchemeUID$|^ContextGroupExtensionCreatorUID$|^ContextUID$|^MappingResourceUID$|^PrivateInformationCreatorUID$|^CreatorVersionUID$|^SegmentationTemplateUID$/;
const classUids = [];
for (const a of attributes) {
  if (a.valueRepresentation !== 'UI' || !CLASS_KEYWORD.test(a.keyword)) continue;
  const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/.exec(a.tag);
  if (!m) continue;
  const tag = parseInt(m[1] + m[2], 16);
  if (exact.some((e) => e.tag === tag)) continue; // Table E.1-1 decides for the attributes it lists
  classUids.push({ tag, keyword: a.keyword });
}
classUids.sort((a, b) => a.tag - b.tag);
let classOut = HEADER('UI attributes that name a class, syntax or scheme, never an instance.', [
  'Source: shared/standard/attributes.json (PS3.6, innolitics/dicom-standard commit 7f4749d, edition 2024b-era), every UI',
  `attribute whose keyword matches ${CLASS_KEYWORD}: ${classUids.length} attributes.`,
]);
classOut += `
/** Tags of the UI attributes whose values are class, transfer syntax or coding scheme UIDs: kept, never remapped. */
export const CLASS_UID_TAGS: Readonly<Record<number, string>> = {
`;
for (const c of classUids) classOut += `  ${hex8(c.tag)}: ${JSON.stringify(c.keyword)},\n`;
classOut += '};\n';

mkdirSync(outDir, { recursive: true });
for (const [name, text] of [['profile-table.ts', profile], ['safe-private.ts', safeOut], ['iod-types.ts', iodOut], ['class-uids.ts', classOut]]) {
  writeFileSync(join(outDir, name), text);
}
console.log(`wrote ${outDir}: E.1-1 ${rows.length} rows (${exact.length} tags, ${patterns.length} patterns, 1 private); ` +
  `${safeKeys.size} safe private attributes; ${iodTypes.length} IODs (${complete} complete); ${classUids.length} class UID attributes`);
