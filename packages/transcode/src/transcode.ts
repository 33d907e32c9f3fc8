import {
  createCodecRegistry, DicomError, encapsulatedFrames, encapsulateFrames, getBytes, isEncapsulated, requireCodec, transferSyntaxInfo, TransferSyntax,
  type CodecRegistry, type DataElement, type DicomFile, type EncodeOptions, type FrameDescriptor, type PixelCodec,
} from '@dicom-tools/core';
import {
  EXTENDED_OFFSET_TABLE, EXTENDED_OFFSET_TABLE_LENGTHS, nativeFrames, nativePixelData, PHOTOMETRIC_INTERPRETATION, PIXEL_DATA, PLANAR_CONFIGURATION,
  readImagePixel, type ImagePixel,
} from './_image-pixel.js';
import { flagDecodedLossy, markLossy } from './_lossy-attributes.js';
import { normalizeStoredBits, sameBytes } from './_pixel-layout.js';
import { resolveTransferSyntax, transferSyntaxAlias } from './syntax-aliases.js';
import { createTranscodeCodecs } from './transcode-codecs.js';

/** Options for {@link transcode}. */
export interface TranscodeOptions {
  /**
   * The codecs to use: a registry or a list. Default: {@link createTranscodeCodecs}, made anew for this call; pass
   * your own to reuse the loaded WASM modules across calls.
   */
  readonly codecs?: CodecRegistry | readonly PixelCodec[];
  /** JPEG quality 1-100 (default 90); for JPEG 2000 lossy, a ratio of 250 / quality. */
  readonly quality?: number;
  /** JPEG 2000 lossy compression ratio (default 10). */
  readonly ratio?: number;
  /** JPEG-LS near-lossless NEAR (default 2). */
  readonly near?: number;
  /** Decode every lossless encode and compare it with the input before returning (default true). */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
}

function registryOf(codecs: TranscodeOptions['codecs']): CodecRegistry {
  if (codecs === undefined) return createCodecRegistry(createTranscodeCodecs());
  return 'byTransferSyntax' in codecs ? codecs : createCodecRegistry(codecs);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'transcode aborted', { cause: signal.reason });
}

/** The frames of `file` as native, interleaved bytes and the photometric interpretation they are in. */
async function decodeFrames(file: DicomFile, pixel: DataElement, image: ImagePixel, registry: CodecRegistry, signal: AbortSignal | undefined): Promise<{ frames: Uint8Array[]; photometric: string }> {
  if (!isEncapsulated(pixel)) return { frames: nativeFrames(pixel, image), photometric: image.descriptor.photometricInterpretation };
  const codec = requireCodec(registry, file.transferSyntaxUID, 'decode');
  const extendedOffsetTable = getBytes(file.dataset, EXTENDED_OFFSET_TABLE);
  const compressed = encapsulatedFrames(pixel, image.numberOfFrames, extendedOffsetTable !== undefined ? { extendedOffsetTable } : {});
  const frames: Uint8Array[] = [];
  let photometric = image.descriptor.photometricInterpretation;
  for (const frame of compressed) {
    checkAborted(signal);
    const decoded = await codec.decode!(frame, image.descriptor, file.transferSyntaxUID);
    frames.push(decoded.bytes);
    photometric = decoded.photometricInterpretation;
  }
  return { frames, photometric };
}

/** Encodes `frames` with `codec`, verifying lossless results; returns the compressed frames and what changed. */
async function encodeFrames(
  frames: readonly Uint8Array[], descriptor: FrameDescriptor, codec: PixelCodec, syntax: string, options: TranscodeOptions,
): Promise<{ encoded: Uint8Array[]; photometric: string; lossy: boolean }> {
  const encodeOptions: EncodeOptions = {
    ...(options.quality !== undefined ? { quality: options.quality } : {}),
    ...(options.ratio !== undefined ? { ratio: options.ratio } : {}),
    ...(options.near !== undefined ? { near: options.near } : {}),
  };
  const encoded: Uint8Array[] = [];
  let photometric = descriptor.photometricInterpretation;
  let lossy = false;
  for (const [index, frame] of frames.entries()) {
    checkAborted(options.signal);
    const result = await codec.encode!(frame, descriptor, syntax, encodeOptions);
    encoded.push(result.bytes);
    photometric = result.photometricInterpretation ?? descriptor.photometricInterpretation;
    lossy ||= result.lossy;
    if (!result.lossy && options.verify !== false) {
      if (codec.decode === undefined) throw new DicomError('TRANSCODE_VERIFY_FAILED', `${codec.name} cannot decode what it encoded, so the encode cannot be verified: pass verify: false to skip`);
      const back = await codec.decode(result.bytes, { ...descriptor, photometricInterpretation: photometric, planarConfiguration: 0 }, syntax);
      const same = back.photometricInterpretation === descriptor.photometricInterpretation && sameBytes(normalizeStoredBits(back.bytes, descriptor), normalizeStoredBits(frame, descriptor));
      if (!same) throw new DicomError('TRANSCODE_VERIFY_FAILED', `frame ${index + 1}: the ${codec.name} encode does not decode back to the input pixels; nothing was written`, { tag: PIXEL_DATA });
    }
  }
  return { encoded, photometric, lossy };
}

/**
 * Transcodes `file` to `transferSyntaxUID` (a UID or an alias such as `jpegls`, see {@link resolveTransferSyntax})
 * and returns a new DicomFile; `file` is not changed. Native syntaxes are relabelled (the writer changes byte order
 * and VR encoding); compressed pixel data is decoded and encoded frame by frame, one fragment per frame with a
 * Basic Offset Table. Lossless encodes are decoded and compared with the input first (TRANSCODE_VERIFY_FAILED on
 * a mismatch) unless `verify` is false. A lossy encode sets Lossy Image Compression (0028,2110) = 01, its ratio and
 * method, and a new SOP Instance UID. Photometric Interpretation and Planar Configuration follow the pixels (JPEG
 * colour is YBR_FULL_422, JPEG 2000 colour YBR_RCT / YBR_ICT; decoded colour is RGB, colour-by-pixel). Every other
 * attribute and the file meta are kept.
 */
export async function transcode(file: DicomFile, transferSyntaxUID: string, options: TranscodeOptions = {}): Promise<DicomFile> {
  checkAborted(options.signal);
  const target = resolveTransferSyntax(transferSyntaxUID).uid;
  const targetInfo = transferSyntaxInfo(target);
  // Known to core's UID registry, or one this package names (HTJ2K is newer than the registry's edition).
  if (!targetInfo.known && transferSyntaxAlias(target) === undefined) throw new DicomError('TRANSCODE_UNSUPPORTED', `${target} is not a transfer syntax this version knows`);
  const sourceInfo = transferSyntaxInfo(file.transferSyntaxUID);
  const pixel = file.dataset.elements.get(PIXEL_DATA);
  const relabel = pixel === undefined || (!sourceInfo.encapsulated && !targetInfo.encapsulated);
  if (relabel || target === file.transferSyntaxUID) return { ...file, transferSyntaxUID: target };
  const registry = registryOf(options.codecs);
  const encoder = targetInfo.encapsulated ? requireCodec(registry, target, 'encode') : undefined;
  const image = readImagePixel(file.dataset);
  const { frames, photometric } = await decodeFrames(file, pixel, image, registry, options.signal);
  const dataset = { elements: new Map(file.dataset.elements) };
  const meta = { elements: new Map(file.meta.elements) };
  dataset.elements.delete(EXTENDED_OFFSET_TABLE);
  dataset.elements.delete(EXTENDED_OFFSET_TABLE_LENGTHS);
  if (sourceInfo.encapsulated) flagDecodedLossy(dataset, file.transferSyntaxUID);
  const descriptor: FrameDescriptor = { ...image.descriptor, photometricInterpretation: photometric, planarConfiguration: 0 };
  let outPhotometric = photometric;
  if (encoder === undefined) {
    dataset.elements.set(PIXEL_DATA, nativePixelData(frames, descriptor.bitsAllocated));
  } else {
    const result = await encodeFrames(frames, descriptor, encoder, target, options);
    const value = encapsulateFrames(result.encoded);
    dataset.elements.set(PIXEL_DATA, { tag: PIXEL_DATA, vr: 'OB', value, encapsulated: true });
    outPhotometric = result.photometric;
    if (result.lossy) {
      const raw = frames.reduce((n, f) => n + f.length, 0);
      const compressed = result.encoded.reduce((n, f) => n + f.length, 0);
      markLossy(dataset, meta, target, raw / compressed);
    }
  }
  if (outPhotometric !== image.descriptor.photometricInterpretation) {
    dataset.elements.set(PHOTOMETRIC_INTERPRETATION, { tag: PHOTOMETRIC_INTERPRETATION, vr: 'CS', value: [outPhotometric] });
  }
  if (image.descriptor.samplesPerPixel > 1) dataset.elements.set(PLANAR_CONFIGURATION, { tag: PLANAR_CONFIGURATION, vr: 'US', value: [0] });
  return { ...file, meta, dataset, transferSyntaxUID: target };
}

/** Decompresses `file` to Explicit VR Little Endian: `transcode(file, explicit)`. */
export function decompress(file: DicomFile, options: Omit<TranscodeOptions, 'quality' | 'ratio' | 'near' | 'verify'> = {}): Promise<DicomFile> {
  return transcode(file, TransferSyntax.ExplicitVRLittleEndian, options);
}
