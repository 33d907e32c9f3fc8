import { createHmac } from 'node:crypto';
import type { Secret } from './uid-remap.js';

/** HMAC-SHA256 of `purpose` and `value` under `secret` (the purpose keeps the uses of one secret apart). */
export function keyedDigest(secret: Secret, purpose: string, value: string): Buffer {
  return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest();
}

/** `length` upper-case hex digits of the keyed digest. */
export function keyedHex(secret: Secret, purpose: string, value: string, length: number): string {
  return keyedDigest(secret, purpose, value).toString('hex').slice(0, length).toUpperCase();
}

/** A whole number in [min, max] taken from the keyed digest (uniform enough: 48 bits reduced modulo the range). */
export function keyedInt(secret: Secret, purpose: string, value: string, min: number, max: number): number {
  const n = keyedDigest(secret, purpose, value).readUIntBE(0, 6);
  return min + (n % (max - min + 1));
}
