import { createHash } from 'node:crypto';

/**
 * A deterministic UID for test data: `2.25.` and the decimal form of a 128-bit UUID (PS3.5 B.2) whose bits
 * are the first 16 bytes of SHA-256 over `parts`, with the version nibble set to 8 (RFC 9562 custom UUID).
 * The same parts always give the same UID; different parts give different UIDs. For test data only.
 */
export function fixtureUid(...parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${hash.subarray(0, 16).toString('hex')}`)}`;
}
