import { createHmac } from 'node:crypto';
import type { Secret } from './uid-remap.js';

/** HMAC-SHA256 of `purpose` and `value` under `secret` (the purpose keeps the uses of one secret apart). */
export function keyedDigest(secret: Secret, purpose: string, value: string): Buffer {
  return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest();
}

/**
 * Keyed values already worked out (patient pseudonyms, date shifts) by what they were made of, all under the one
 * secret in `secret`: a cache the caller owns (see `AnonymizeCache`). Used with another secret, it is emptied first.
 */
export interface KeyedMemo {
  secret: Secret | undefined;
  readonly values: Map<string, string | number>;
}

/** Values a {@link KeyedMemo} keeps (the oldest is dropped first). */
const MAX_KEYED_VALUES = 10_000;

function sameSecret(a: Secret, b: Secret): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The value `make` gives for `id` under `secret`, from `memo` when it has it (and kept there when it has not). */
function remembered<T extends string | number>(memo: KeyedMemo | undefined, secret: Secret, id: string, make: () => T): T {
  if (memo === undefined) return make();
  if (memo.secret === undefined || !sameSecret(memo.secret, secret)) {
    memo.values.clear();
    memo.secret = typeof secret === 'string' ? secret : new Uint8Array(secret);
  }
  const known = memo.values.get(id);
  if (known !== undefined) return known as T;
  const value = make();
  if (memo.values.size >= MAX_KEYED_VALUES) memo.values.delete(memo.values.keys().next().value!);
  memo.values.set(id, value);
  return value;
}

/** `length` upper-case hex digits of the keyed digest (remembered in `memo`, if given). */
export function keyedHex(secret: Secret, purpose: string, value: string, length: number, memo?: KeyedMemo): string {
  return remembered(memo, secret, `${purpose}\0${length}\0${value}`, () => keyedDigest(secret, purpose, value).toString('hex').slice(0, length).toUpperCase());
}

/**
 * A whole number in [min, max] taken from the keyed digest (uniform enough: 48 bits reduced modulo the range;
 * remembered in `memo`, if given).
 */
export function keyedInt(secret: Secret, purpose: string, value: string, min: number, max: number, memo?: KeyedMemo): number {
  return remembered(memo, secret, `${purpose}\0${min}\0${max}\0${value}`, () => min + (keyedDigest(secret, purpose, value).readUIntBE(0, 6) % (max - min + 1)));
}
