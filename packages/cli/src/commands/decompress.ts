import type { CommandContext, CommonOptions } from '../context.js';
import { runTranscode } from './transcode.js';

/** Flags of `dicom-tools decompress`. */
export interface DecompressOptions extends CommonOptions {
  readonly output?: string;
  readonly force?: boolean;
}

/** `dicom-tools decompress IN`: `transcode IN --syntax explicit` (output `<stem>_explicit.dcm`). */
export function runDecompress(input: string, options: DecompressOptions, context: CommandContext): Promise<number> {
  return runTranscode(input, { ...options, syntax: 'explicit' }, context);
}
