import { readDicomFile, type DicomFile } from '@dicom-tools/core';
import type { CommandContext } from './context.js';

/** Reads a DICOM file for a command, with the command's abort signal. Throws DicomError (naming the file). */
export function readInput(file: string, context: CommandContext, options: { readonly headerOnly?: boolean } = {}): Promise<DicomFile> {
  return readDicomFile(file, { signal: context.signal, ...(options.headerOnly === true ? { stopBeforePixelData: true } : {}) });
}
