import { DicomError } from './errors.js';
import { checkTextValue } from './vr-format.js';

/** The five components of one PN component group, in their PS3.5 6.2.1 order; `''` when absent. */
export interface PersonNameComponents {
  readonly familyName: string;
  readonly givenName: string;
  readonly middleName: string;
  readonly prefix: string;
  readonly suffix: string;
}

/**
 * A PN value split into its component groups (PS3.5 6.2.1): alphabetic always, ideographic and phonetic when
 * the value has them (and they are not empty).
 */
export interface PersonName {
  readonly alphabetic: PersonNameComponents;
  readonly ideographic?: PersonNameComponents;
  readonly phonetic?: PersonNameComponents;
}

/**
 * A person name to write: the groups as objects whose components may be left out, or the components of the
 * alphabetic group directly (`{ familyName: 'Adams', givenName: 'John' }`).
 */
export type PersonNameInput =
  | {
      readonly alphabetic?: Partial<PersonNameComponents>;
      readonly ideographic?: Partial<PersonNameComponents>;
      readonly phonetic?: Partial<PersonNameComponents>;
    }
  | Partial<PersonNameComponents>;

const COMPONENTS = ['familyName', 'givenName', 'middleName', 'prefix', 'suffix'] as const;
const GROUPS = ['alphabetic', 'ideographic', 'phonetic'] as const;

function invalid(why: string): DicomError {
  return new DicomError('CORE_INVALID_VALUE', `not a valid PN value: ${why}`);
}

function parseGroup(group: string): PersonNameComponents {
  const parts = group.split('^');
  if (parts.length > 5) throw invalid(`a component group has ${parts.length} components; at most 5 are allowed`);
  const [familyName = '', givenName = '', middleName = '', prefix = '', suffix = ''] = parts;
  return { familyName, givenName, middleName, prefix, suffix };
}

/**
 * Splits a PN value into component groups and components: `Adams^John Robert Quincy^^Rev.^B.A. M.Div.` has
 * family name `Adams`, given names `John Robert Quincy`, prefix `Rev.` and suffix `B.A. M.Div.` (PS3.5 6.2.1.1).
 * Throws CORE_INVALID_VALUE for more than 3 groups or more than 5 components in a group.
 */
export function parsePersonName(text: string): PersonName {
  const groups = text.split('=');
  if (groups.length > 3) throw invalid(`it has ${groups.length} component groups; at most 3 are allowed`);
  const [alphabetic = '', ideographic = '', phonetic = ''] = groups;
  return {
    alphabetic: parseGroup(alphabetic),
    ...(ideographic !== '' ? { ideographic: parseGroup(ideographic) } : {}),
    ...(phonetic !== '' ? { phonetic: parseGroup(phonetic) } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatGroup(name: string, group: unknown): string {
  if (group === undefined) return '';
  if (!isObject(group)) throw invalid(`${name} must be an object of name components`);
  for (const key of Object.keys(group)) {
    if (!(COMPONENTS as readonly string[]).includes(key)) throw invalid(`unknown component "${key}" (expected ${COMPONENTS.join(', ')})`);
  }
  const parts = COMPONENTS.map((key) => {
    const part = group[key];
    if (part === undefined) return '';
    if (typeof part !== 'string') throw invalid(`${key} must be a string`);
    if (/[\^=\\]/.test(part)) throw invalid(`${key} must not contain ^, = or \\`);
    return part;
  });
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/**
 * Writes a PN value from its groups and components, leaving out trailing empty components and groups and their
 * delimiters (PS3.5 6.2.1.1). Throws CORE_INVALID_VALUE for a component holding `^`, `=` or `\`, an unknown
 * property, or a group longer than 64 characters.
 */
export function formatPersonName(name: PersonNameInput | PersonName): string {
  if (!isObject(name)) throw invalid('a person name must be an object');
  const keys = Object.keys(name);
  const direct = keys.some((k) => (COMPONENTS as readonly string[]).includes(k));
  let groups: string[];
  if (direct) {
    groups = [formatGroup('name', name)];
  } else {
    for (const key of keys) {
      if (!(GROUPS as readonly string[]).includes(key)) throw invalid(`unknown property "${key}" (expected ${GROUPS.join(', ')} or name components)`);
    }
    groups = GROUPS.map((g) => formatGroup(g, (name as Record<string, unknown>)[g]));
  }
  while (groups.length > 0 && groups[groups.length - 1] === '') groups.pop();
  const text = groups.join('=');
  const problem = checkTextValue('PN', text);
  if (problem !== undefined) throw invalid(problem.message);
  return text;
}
