import type { CodecRegistry, DicomFile } from '@dicom-tools/core';

/**
 * The codecs a command decodes `file` with: @dicom-tools/transcode's, loaded only when the pixel data is compressed
 * (so native files never load WASM); undefined for native pixel data.
 */
export async function codecsFor(file: DicomFile): Promise<CodecRegistry | undefined> {
  const pixels = file.dataset.elements.get(0x7fe00010);
  if (pixels === undefined || !('encapsulated' in pixels)) return undefined;
  const [{ createCodecRegistry }, { createTranscodeCodecs }] = await Promise.all([import('@dicom-tools/core'), import('@dicom-tools/transcode')]);
  return createCodecRegistry(createTranscodeCodecs());
}
