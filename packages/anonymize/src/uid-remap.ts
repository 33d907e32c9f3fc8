import { uidName } from '@dicom-tools/core';
import { keyedDigest } from './_keyed.js';

/** A secret that keys every replacement: text (UTF-8) or bytes. */
export type Secret = string | Uint8Array;

/**
 * The replacement for instance UID `uid` under `secret`: `2.25.` and the decimal of 128 bits of
 * HMAC-SHA256(secret, uid), with the 6 version and variant bits set as RFC 9562 asks of a UUIDv8, so the result
 * is a UUID-derived UID as PS3.5 B.2 defines it. Deterministic for one secret on any machine, different across
 * secrets, at most 44 characters, no leading zeros.
 */
export function remapUid(uid: string, secret: Secret): string {
  const bytes = keyedDigest(secret, 'uid', uid.trim()).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}

/**
 * True for a UID that names something defined by the standard rather than an instance: anything under the
 * DICOM root `1.2.840.10008.` (SOP classes, transfer syntaxes, well-known frames of reference and instances,
 * coding schemes, LDAP OIDs) and anything else in the PS3.6 Annex A registry. Such UIDs are never remapped.
 */
export function isWellKnownUid(uid: string): boolean {
  const u = uid.trim();
  return u.startsWith('1.2.840.10008.') || uidName(u) !== undefined;
}
