import { DicomError } from './errors.js';
import { transferSyntaxInfo } from './transfer-syntax.js';

/** What a codec needs to know about one frame: the Image Pixel module values that shape it. */
export interface FrameDescriptor {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** 0 interleaved (RGBRGB...), 1 planar (RR..GG..BB..). Native frames a codec returns are always interleaved. */
  readonly planarConfiguration: number;
  readonly photometricInterpretation: string;
}

/** A decoded frame: native pixel bytes (little endian, interleaved samples) and the photometric they are in. */
export interface DecodedFrame {
  readonly bytes: Uint8Array;
  /** The photometric interpretation of `bytes` (a JPEG baseline YBR_FULL_422 frame decodes to RGB, say). */
  readonly photometricInterpretation: string;
}

/** An encoded frame: the bytes of one compressed frame (one or more fragments' worth) and what changed. */
export interface EncodedFrame {
  readonly bytes: Uint8Array;
  /** The photometric interpretation the encoded stream is in, when the encoder changed it. */
  readonly photometricInterpretation?: string;
  /** True when the encoding is lossy. */
  readonly lossy: boolean;
}

/** Options an encoder may honour; each codec documents which. */
export interface EncodeOptions {
  /** JPEG / J2K quality, 1-100. */
  readonly quality?: number;
  /** J2K compression ratio. */
  readonly ratio?: number;
  /** JPEG-LS NEAR parameter (0 = lossless). */
  readonly near?: number;
  readonly signal?: AbortSignal;
}

/**
 * A pixel codec for one or more transfer syntaxes. Codecs are plain objects, registered by the caller (the
 * CLI wires @dicom-tools/transcode's codecs); core ships none, so core never loads WASM.
 */
export interface PixelCodec {
  /** A short name for messages (`charls`, `openjpeg`, `rle`). */
  readonly name: string;
  /** The transfer syntax UIDs this codec handles. */
  readonly transferSyntaxUIDs: readonly string[];
  /** Decodes one compressed frame; absent for encode-only codecs. */
  readonly decode?: (frame: Uint8Array, descriptor: FrameDescriptor, transferSyntaxUID: string) => Promise<DecodedFrame>;
  /** Encodes one native frame (little endian, interleaved); absent for decode-only codecs. */
  readonly encode?: (frame: Uint8Array, descriptor: FrameDescriptor, transferSyntaxUID: string, options?: EncodeOptions) => Promise<EncodedFrame>;
}

/** The codecs a caller makes available, by transfer syntax UID. Owned by the caller; nothing global. */
export interface CodecRegistry {
  readonly byTransferSyntax: ReadonlyMap<string, PixelCodec>;
}

/** Builds a registry; a later codec for the same transfer syntax replaces an earlier one. */
export function createCodecRegistry(codecs: Iterable<PixelCodec> = []): CodecRegistry {
  const byTransferSyntax = new Map<string, PixelCodec>();
  for (const codec of codecs) for (const uid of codec.transferSyntaxUIDs) byTransferSyntax.set(uid, codec);
  return { byTransferSyntax };
}

/**
 * The codec that can do `operation` for `transferSyntaxUID`, or a TRANSCODE_CODEC_UNAVAILABLE error naming the
 * syntax (and how to get one) when the registry has none.
 */
export function requireCodec(registry: CodecRegistry | undefined, transferSyntaxUID: string, operation: 'decode' | 'encode'): PixelCodec {
  const codec = registry?.byTransferSyntax.get(transferSyntaxUID);
  if (codec !== undefined && codec[operation] !== undefined) return codec;
  const name = transferSyntaxInfo(transferSyntaxUID).name;
  throw new DicomError('TRANSCODE_CODEC_UNAVAILABLE', `no codec to ${operation} ${name} (${transferSyntaxUID}) pixel data: register @dicom-tools/transcode's codecs`);
}
