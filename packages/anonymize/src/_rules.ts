import { PROFILE_PATTERNS, PROFILE_RULES, type ActionCode, type BasicProfileCode, type ProfileOptionName, type ProfileRule } from './_generated/profile-table.js';
import type { AttributeType } from './_generated/iod-types.js';

/**
 * The single-tag rows by tag, as a Map: looked up for every element of every file, and an object keyed by ~600
 * sparse integers is a dictionary V8 looks up more slowly (derived once from the generated table, never changed).
 */
const RULES: ReadonlyMap<number, ProfileRule> = new Map(Object.entries(PROFILE_RULES).map(([tag, rule]) => [Number(tag), rule]));

/**
 * The top byte of every repeating-group row's groups (0x50 curves, 0x60 overlays), when every pattern fixes it (it
 * does in the generated table): other tags then skip the patterns. Undefined when a pattern leaves it open.
 */
const PATTERN_TOP_BYTES: ReadonlySet<number> | undefined = PROFILE_PATTERNS.every((pattern) => pattern.mask >>> 24 === 0xff)
  ? new Set(PROFILE_PATTERNS.map((pattern) => pattern.value >>> 24))
  : undefined;

/** The row of Table E.1-1 for a standard (even-group) tag, including the repeating-group rows, if any. */
export function profileRuleFor(tag: number): ProfileRule | undefined {
  const rule = RULES.get(tag);
  if (rule !== undefined) return rule;
  if (((tag >>> 16) & 1) === 1 || PATTERN_TOP_BYTES?.has(tag >>> 24) === false) return undefined;
  for (const pattern of PROFILE_PATTERNS) if (((tag & pattern.mask) >>> 0) === pattern.value) return pattern.rule;
  return undefined;
}

/**
 * The single action of a Basic Profile cell for an attribute of `type`, per PS3.15 E.1.1: the first action of the
 * cell that keeps the IOD valid (Type 1: D, or U for X/Z/U*, or Z where D is not offered; Type 2: Z where
 * offered, else D; Type 3: X). An `unknown` Type (nested in a sequence, or an IOD whose module tables the 2008
 * edition lacks) is resolved as Type 1: the choice that is valid whatever the Type is, and that, like every
 * action but K, carries none of the original value.
 */
export function resolveCell(cell: BasicProfileCode, type: AttributeType | 'unknown'): ActionCode {
  if (!cell.includes('/')) return cell as ActionCode;
  const level = type === '3' ? 3 : type === '2' || type === '2C' ? 2 : 1;
  switch (cell) {
    case 'Z/D':
      return level === 1 ? 'D' : 'Z';
    case 'X/Z':
      return level === 3 ? 'X' : 'Z';
    case 'X/D':
      return level === 3 ? 'X' : 'D';
    case 'X/Z/D':
      return level === 3 ? 'X' : level === 2 ? 'Z' : 'D';
    case 'X/Z/U*':
      return level === 3 ? 'X' : level === 2 ? 'Z' : 'U';
    default:
      throw new Error(`unknown Table E.1-1 cell ${cell}`);
  }
}

/**
 * The action the selected options give a row, if any names it: each option overrides the Basic Profile for its
 * column. When two selected options name the same row, the one that keeps less wins (C over K): e.g. Date of
 * Last Detector Calibration with retainDeviceIdentity (K) and retainLongitudinalModifiedDates (C) is shifted.
 */
export function optionAction(rule: ProfileRule, options: readonly ProfileOptionName[]): { action: 'K' | 'C'; option: ProfileOptionName } | undefined {
  let found: { action: 'K' | 'C'; option: ProfileOptionName } | undefined;
  for (const option of options) {
    const code = rule[option];
    if (code === undefined) continue;
    if (found === undefined || (code === 'C' && found.action === 'K')) found = { action: code, option };
  }
  return found;
}
