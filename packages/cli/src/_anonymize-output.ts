import { createHmac } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Where the anonymized copy of one input file goes, decided before it is read. */
export interface OutputPlace {
  /** The mirrored output folder. */
  readonly folder: string;
  /** The file name stem to use when the file has no usable SOP Instance UID: a keyed hash of its path. */
  readonly fallbackStem: () => string;
}

/**
 * Places the anonymized copies of a folder's files so that no name carries PHI: the folder structure is mirrored,
 * each folder named by 12 hex digits of HMAC-SHA256(secret, its path relative to the input). Files are named by
 * their new SOP Instance UID (or, without one, by the keyed hash of their path), `-2`, `-3`... for a second file of
 * one name in one folder (see _anonymize-runner.ts). The same input and secret give the same names.
 */
export function createOutputPlacer(inputRoot: string, outputRoot: string, secret: string | Uint8Array): (inputFile: string) => OutputPlace {
  const keyed = (text: string): string => createHmac('sha256', secret).update('path').update('\0').update(text).digest('hex').slice(0, 12);
  const root = resolve(inputRoot);
  const folders = new Map<string, string>();
  return (inputFile) => {
    const rel = relative(root, resolve(inputFile));
    const parent = dirname(rel);
    let folder = folders.get(parent);
    if (folder === undefined) {
      const parts = parent === '.' ? [] : parent.split(sep);
      folder = join(outputRoot, ...parts.map((_, i) => keyed(parts.slice(0, i + 1).join('/'))));
      folders.set(parent, folder);
    }
    return { folder, fallbackStem: () => keyed(rel.split(sep).join('/')) };
  };
}

/** The UID map as CSV: a header, then one `original,replacement` line per UID (UIDs hold no comma or quote). */
export function uidMapCsv(map: ReadonlyMap<string, string>): string {
  let out = 'original,replacement\n';
  for (const [original, replacement] of map) out += `${original},${replacement}\n`;
  return out;
}

