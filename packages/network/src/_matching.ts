/**
 * Attribute matching of C-FIND (PS3.4 C.2.2.2): universal (empty), single value, wildcard (`*`, `?`), range
 * (DA, TM, DT: `a-b`, `a-`, `-b`) and list of UIDs (`a\b`). PN matching ignores case, as Orthanc does by default.
 */
export function matchesKey(value: string | undefined, pattern: string, vr: string): boolean {
  if (pattern === '' || pattern === '*') return true;
  const actual = value ?? '';
  if (vr === 'UI') return pattern.split('\\').some((uid) => uid === actual);
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && pattern.includes('-')) return inRange(actual, pattern, vr);
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') return actual !== '' && normalize(actual, vr) === normalize(pattern, vr);
  const caseless = vr === 'PN';
  const values = actual.split('\\');
  // A multi-valued attribute matches when any of its values matches.
  return values.some((v) => (pattern.includes('*') || pattern.includes('?') ? wildcard(v, pattern, caseless) : caseless ? v.toUpperCase() === pattern.toUpperCase() : v === pattern));
}

function normalize(text: string, vr: string): string {
  const t = text.trim();
  return vr === 'TM' ? t.replace(/:/g, '') : vr === 'DA' ? t.replace(/[.-]/g, '') : t;
}

/** A time compared as text: padded so that `10` (10:00) sorts with `100000`. */
function comparable(text: string, vr: string, high: boolean): string {
  const n = normalize(text, vr);
  if (vr === 'TM') return n.padEnd(13, high ? '9' : '0');
  return n;
}

function inRange(actual: string, pattern: string, vr: string): boolean {
  if (actual === '') return false;
  const dash = pattern.indexOf('-');
  const low = pattern.slice(0, dash).trim();
  const high = pattern.slice(dash + 1).trim();
  const a = comparable(actual, vr, false);
  if (low !== '' && a < comparable(low, vr, false)) return false;
  if (high !== '') {
    // A date range's upper bound includes the whole of that day (or time prefix).
    const h = comparable(high, vr, true);
    if (a.slice(0, h.length) > h) return false;
  }
  return true;
}

function wildcard(value: string, pattern: string, caseless: boolean): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseless ? 'is' : 's').test(value);
}
