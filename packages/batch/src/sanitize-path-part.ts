/** Options of {@link sanitizePathPart}. */
export interface SanitizePathPartOptions {
  /** Longest result in UTF-8 bytes (cut on a character boundary). Default 64; at most 255. */
  readonly maxBytes?: number;
  /** What an empty value (or one with nothing left) becomes. Default `UNKNOWN`. */
  readonly empty?: string;
}

/** Windows device names, reserved with any extension (CON, CON.txt) and in any case. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/**
 * Makes one folder or file name out of any text (a tag value), safe on Linux, macOS and Windows: `/`, `\`
 * and `: * ? " < > |` and control characters become `_`; leading and trailing spaces and dots go (so `.`,
 * `..` and hidden names cannot occur); Windows device names (CON, NUL, COM1, LPT1.txt...) get a `_` prefix;
 * the result is cut to `maxBytes` UTF-8 bytes; an empty result is `empty`. The result is never `.` or `..`
 * and never contains a separator, so joining it to a folder stays inside that folder.
 */
export function sanitizePathPart(text: string, options: SanitizePathPartOptions = {}): string {
  const maxBytes = Math.min(Math.max(options.maxBytes ?? 64, 8), 255);
  let s = text.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g, '_').replace(/^[\s.]+|[\s.]+$/g, '');
  if (RESERVED.test(s)) s = `_${s}`;
  s = cutToBytes(s, maxBytes).replace(/[\s.]+$/g, '');
  if (s === '') {
    const fallback = options.empty ?? 'UNKNOWN';
    return fallback === '' || fallback === text ? 'UNKNOWN' : sanitizePathPart(fallback, { maxBytes });
  }
  return s;
}

function cutToBytes(s: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(s).length <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = encoder.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}
