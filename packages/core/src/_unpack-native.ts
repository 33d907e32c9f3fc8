// Native (uncompressed) pixel samples to typed arrays, as PS3.5 8.1.1 and 8.2 lay them out: little endian,
// Bits Allocated 1 packed least significant bit first with frames following each other bit by bit, stored bits
// from High Bit down (PS3.5 8.1.1), colour by pixel or by plane, YBR_FULL_422 with Cb and Cr shared by pixel pairs.
import { DicomError } from './errors.js';
import { isSubsampled422, type PixelDescription } from './pixel-description.js';

/** Every typed array a frame's samples can come back in. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** A copy of `length` bytes from `offset` in a fresh, aligned buffer. */
function copyBytes(source: Uint8Array, offset: number, length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(source.subarray(offset, offset + length));
  return out.buffer;
}

/** Keeps bits highBit..highBit-bitsStored+1 of each sample, sign-extending them for two's complement data. */
function extractStoredBits(raw: Uint8Array | Uint16Array | Uint32Array, description: PixelDescription): PixelArray {
  const { bitsAllocated, bitsStored, highBit, pixelRepresentation } = description;
  const signed = pixelRepresentation === 1;
  if (bitsStored === bitsAllocated) {
    if (!signed) return raw;
    return bitsAllocated === 8 ? new Int8Array(raw.buffer) : bitsAllocated === 16 ? new Int16Array(raw.buffer) : new Int32Array(raw.buffer);
  }
  const shift = highBit + 1 - bitsStored;
  const spare = 32 - bitsStored;
  const mask = bitsStored === 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const out: PixelArray = signed
    ? bitsAllocated === 8 ? new Int8Array(raw.length) : bitsAllocated === 16 ? new Int16Array(raw.length) : new Int32Array(raw.length)
    : raw;
  for (let i = 0; i < raw.length; i++) {
    const bits = (raw[i]! >>> shift) & mask;
    out[i] = signed ? (bits << spare) >> spare : bits;
  }
  return out;
}

function planarToInterleaved<T extends PixelArray>(planar: T, samples: number): T {
  const out = new (planar.constructor as new (length: number) => T)(planar.length);
  const pixels = planar.length / samples;
  for (let s = 0; s < samples; s++) {
    const plane = s * pixels;
    for (let p = 0; p < pixels; p++) out[p * samples + s] = planar[plane + p]!;
  }
  return out;
}

/** Y1 Y2 Cb Cr per pixel pair -> Y Cb Cr for each pixel (PS3.3 C.7.6.3.1.2). */
function expand422<T extends PixelArray>(pairs: T, pixels: number): T {
  const out = new (pairs.constructor as new (length: number) => T)(pixels * 3);
  for (let pair = 0, o = 0; pair * 4 + 3 < pairs.length; pair++, o += 6) {
    const i = pair * 4;
    const cb = pairs[i + 2]!;
    const cr = pairs[i + 3]!;
    out[o] = pairs[i]!;
    out[o + 1] = cb;
    out[o + 2] = cr;
    out[o + 3] = pairs[i + 1]!;
    out[o + 4] = cb;
    out[o + 5] = cr;
  }
  return out;
}

function unpackBits(source: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = bitOffset + i;
    out[i] = (source[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

/** Exchanges the two 16-bit halves of each 32-bit cell. */
function swapHalves(words: Uint16Array): void {
  for (let i = 0; i + 1 < words.length; i += 2) {
    const first = words[i]!;
    words[i] = words[i + 1]!;
    words[i + 1] = first;
  }
}

/**
 * The samples of one native frame as a typed array, colour interleaved (RGBRGB...). `offset` is in bytes, or in
 * bits for Bits Allocated 1. `subsampled` says the bytes are YBR_FULL_422 pixel pairs (native encoding only); `swappedWords` that
 * 32-bit cells came from a big endian OW value, which the reader byte-swapped as 16-bit words.
 */
export function unpackNativeFrame(source: Uint8Array, offset: number, description: PixelDescription, subsampled: boolean, swappedWords = false): PixelArray {
  const { rows, columns, samplesPerPixel, bitsAllocated } = description;
  const pixels = rows * columns;
  if (bitsAllocated === 1) return unpackBits(source, offset, pixels);
  if (bitsAllocated > 8 && !hostIsLittleEndian()) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', 'reading pixel data on a big-endian host is not supported');
  }
  const sampleCount = subsampled ? pixels * 2 : pixels * samplesPerPixel;
  const buffer = copyBytes(source, offset, (sampleCount * bitsAllocated) / 8);
  if (swappedWords && bitsAllocated === 32) swapHalves(new Uint16Array(buffer));
  let samples: PixelArray;
  if (description.float) {
    samples = bitsAllocated === 64 ? new Float64Array(buffer) : new Float32Array(buffer);
  } else {
    const raw = bitsAllocated === 8 ? new Uint8Array(buffer) : bitsAllocated === 16 ? new Uint16Array(buffer) : new Uint32Array(buffer);
    samples = extractStoredBits(raw, description);
  }
  if (subsampled) return expand422(samples, pixels);
  if (samplesPerPixel > 1 && description.planarConfiguration === 1) return planarToInterleaved(samples, samplesPerPixel);
  return samples;
}

/** True when native frames of this description are stored as YBR 4:2:2 pixel pairs. */
export function nativeIsSubsampled(description: PixelDescription): boolean {
  return description.samplesPerPixel === 3 && isSubsampled422(description.photometricInterpretation);
}
