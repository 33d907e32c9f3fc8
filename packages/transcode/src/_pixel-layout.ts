// Native frame layout: sizes, planar <-> interleaved, and pixel values as Bits Stored defines them.
import { DicomError, type FrameDescriptor } from '@dicom-tools/core';

/** Bytes per sample of a native frame: 1, 2 or 4. */
export function bytesPerSample(descriptor: FrameDescriptor): number {
  return descriptor.bitsAllocated / 8;
}

/** The byte length of one native frame. */
export function nativeFrameLength(descriptor: FrameDescriptor): number {
  return descriptor.rows * descriptor.columns * descriptor.samplesPerPixel * bytesPerSample(descriptor);
}

/** Reorders a colour-by-plane frame (RR..GG..BB..) as colour-by-pixel (RGBRGB...). */
export function planarToInterleaved(frame: Uint8Array, descriptor: FrameDescriptor): Uint8Array {
  const samples = descriptor.samplesPerPixel;
  const size = bytesPerSample(descriptor);
  const pixels = descriptor.rows * descriptor.columns;
  const out = new Uint8Array(frame.length);
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < pixels; p++) {
      const from = (s * pixels + p) * size;
      const to = (p * samples + s) * size;
      for (let b = 0; b < size; b++) out[to + b] = frame[from + b]!;
    }
  }
  return out;
}

/**
 * The frame with each sample reduced to its Bits Stored (PS3.5 8.1.1): bits above High Bit cleared, or, for
 * signed data, set to the sign. Returns `frame` itself when nothing changes. Codecs code `bitsStored` bits, so this
 * is the pixel data they can hold; lossless verification compares against it.
 */
export function normalizeStoredBits(frame: Uint8Array, descriptor: FrameDescriptor): Uint8Array {
  const { bitsAllocated, bitsStored, pixelRepresentation } = descriptor;
  if (bitsStored >= bitsAllocated || (bitsAllocated !== 8 && bitsAllocated !== 16)) return frame;
  const mask = (1 << bitsStored) - 1;
  const sign = 1 << (bitsStored - 1);
  const high = ((1 << bitsAllocated) - 1) & ~mask;
  let out: Uint8Array | undefined;
  if (bitsAllocated === 8) {
    for (let i = 0; i < frame.length; i++) {
      const v = frame[i]!;
      const want = pixelRepresentation === 1 && (v & sign) !== 0 ? (v & mask) | high : v & mask;
      if (want !== v) (out ??= frame.slice())[i] = want;
    }
  } else {
    for (let i = 0; i < frame.length; i += 2) {
      const v = frame[i]! | (frame[i + 1]! << 8);
      const want = pixelRepresentation === 1 && (v & sign) !== 0 ? (v & mask) | high : v & mask;
      if (want !== v) {
        out ??= frame.slice();
        out[i] = want & 0xff;
        out[i + 1] = want >>> 8;
      }
    }
  }
  return out ?? frame;
}

/**
 * Fits a codec's output (`sampleBytes` per sample, little endian) to the descriptor's native layout: widened or
 * narrowed to Bits Allocated, and sign-extended from Bits Stored for signed data. Throws TRANSCODE_DECODE_FAILED
 * when the sample count is not the frame's.
 */
export function fitDecoded(decoded: Uint8Array, sampleBytes: number, descriptor: FrameDescriptor, codec: string): Uint8Array {
  const samples = descriptor.rows * descriptor.columns * descriptor.samplesPerPixel;
  if (decoded.length !== samples * sampleBytes) {
    throw new DicomError('TRANSCODE_DECODE_FAILED', `${codec} decoded ${decoded.length} bytes where a ${descriptor.columns}x${descriptor.rows} frame of ${descriptor.samplesPerPixel} sample(s) at ${sampleBytes * 8} bits needs ${samples * sampleBytes}`);
  }
  const size = bytesPerSample(descriptor);
  let out = decoded;
  if (sampleBytes !== size) {
    out = new Uint8Array(samples * size);
    const signed = descriptor.pixelRepresentation === 1;
    for (let i = 0; i < samples; i++) {
      const v = sampleBytes === 1 ? decoded[i]! : decoded[2 * i]! | (decoded[2 * i + 1]! << 8);
      if (size === 1) out[i] = v & 0xff;
      else {
        const wide = signed && sampleBytes === 1 && v >= 0x80 ? v | 0xff00 : v;
        out[2 * i] = wide & 0xff;
        out[2 * i + 1] = wide >>> 8;
      }
    }
  }
  return descriptor.pixelRepresentation === 1 ? normalizeStoredBits(out, descriptor) : out;
}

/** True when two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Throws TRANSCODE_UNSUPPORTED unless the frame layout is one `codec` can code. */
export function requireLayout(ok: boolean, descriptor: FrameDescriptor, codec: string, why: string): void {
  if (!ok) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `${codec} cannot code ${descriptor.samplesPerPixel} sample(s) of ${descriptor.bitsAllocated} bits allocated, ${descriptor.bitsStored} stored (${descriptor.photometricInterpretation}): ${why}`);
  }
}

/** The low byte of each 16-bit little-endian sample: samples of at most 8 bits stored in 16 go to the WASM codecs one byte each. */
export function lowBytes(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = frame[2 * i]!;
  return out;
}
