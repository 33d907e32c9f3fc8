// RLE Lossless (PS3.5 Annex G), written by hand: no npm package does it. A frame is a 64-byte header (the number
// of segments, then up to 15 segment offsets) followed by one PackBits segment per byte plane: for each sample in
// turn, its most significant byte first. Each row is encoded on its own (runs never cross a row end) and every
// segment is padded to an even length with a no-op byte (-128).

const HEADER = 64;
const MAX_SEGMENTS = 15;

/** The byte plane count of a frame: samples times bytes per sample (8-bit RGB: 3; 16-bit grey: 2). */
function planeCount(samplesPerPixel: number, bytesPerSample: number): number {
  return samplesPerPixel * bytesPerSample;
}

/**
 * PackBits-encodes `count` bytes of `src` taken `stride` apart from `start` into `out` at `at`; returns the new end.
 * Runs of three or more equal bytes (two at a packet start) become replicate packets, the rest literal packets.
 */
function encodeRow(src: Uint8Array, start: number, stride: number, count: number, out: Uint8Array, at: number): number {
  let i = 0;
  while (i < count) {
    const value = src[start + i * stride]!;
    let run = 1;
    while (i + run < count && run < 128 && src[start + (i + run) * stride] === value) run++;
    if (run >= 2) {
      out[at++] = 257 - run; // -(run - 1) as an unsigned byte
      out[at++] = value;
      i += run;
      continue;
    }
    // A literal packet: up to 128 bytes, ending before a run of three equal bytes.
    const header = at++;
    let length = 0;
    while (i < count && length < 128) {
      const v = src[start + i * stride]!;
      if (i + 2 < count && src[start + (i + 1) * stride] === v && src[start + (i + 2) * stride] === v) break;
      out[at++] = v;
      i++;
      length++;
    }
    out[header] = length - 1;
  }
  return at;
}

/** Encodes one native frame (little endian, interleaved samples) as an RLE frame. */
export function encodeRle(frame: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bytesPerSample: number): Uint8Array {
  const planes = planeCount(samplesPerPixel, bytesPerSample);
  if (planes > MAX_SEGMENTS) throw new RangeError(`RLE holds at most ${MAX_SEGMENTS} segments, not ${planes}`);
  const pixelStride = samplesPerPixel * bytesPerSample;
  // Worst case per row: one header byte per 128 literal bytes; plus one pad byte per segment.
  const worstRow = columns + Math.ceil(columns / 128);
  const out = new Uint8Array(HEADER + planes * (rows * worstRow + 1));
  const header = new DataView(out.buffer);
  header.setUint32(0, planes, true);
  let at = HEADER;
  for (let plane = 0; plane < planes; plane++) {
    header.setUint32(4 + 4 * plane, at, true);
    const sample = Math.floor(plane / bytesPerSample);
    const byte = bytesPerSample - 1 - (plane % bytesPerSample); // most significant byte first
    const offset = sample * bytesPerSample + byte;
    for (let row = 0; row < rows; row++) at = encodeRow(frame, row * columns * pixelStride + offset, pixelStride, columns, out, at);
    if (at % 2 === 1) out[at++] = 0x80;
  }
  return out.slice(0, at);
}

/** An RLE frame that cannot be decoded: the message says why. */
export class RleError extends Error {
  override readonly name = 'RleError';
}

/** Decodes an RLE frame into a native frame (little endian, interleaved samples). */
export function decodeRle(data: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bytesPerSample: number): Uint8Array {
  if (data.length < HEADER) throw new RleError(`the frame is ${data.length} bytes, shorter than the 64-byte RLE header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const segments = view.getUint32(0, true);
  const planes = planeCount(samplesPerPixel, bytesPerSample);
  if (segments !== planes) throw new RleError(`the RLE header declares ${segments} segments where the image needs ${planes}`);
  const pixels = rows * columns;
  const pixelStride = samplesPerPixel * bytesPerSample;
  const out = new Uint8Array(pixels * pixelStride);
  for (let plane = 0; plane < planes; plane++) {
    const begin = view.getUint32(4 + 4 * plane, true);
    const end = plane + 1 < planes ? view.getUint32(8 + 4 * plane, true) : data.length;
    if (begin < HEADER || end > data.length || end < begin) throw new RleError(`segment ${plane + 1} offsets ${begin}-${end} lie outside the frame`);
    const sample = Math.floor(plane / bytesPerSample);
    const byte = bytesPerSample - 1 - (plane % bytesPerSample);
    let target = sample * bytesPerSample + byte;
    let written = 0;
    let at = begin;
    while (written < pixels && at < end) {
      const n = data[at++]!;
      if (n < 128) {
        const length = n + 1;
        if (at + length > end || written + length > pixels) throw new RleError(`segment ${plane + 1} has a literal run past its end`);
        for (let k = 0; k < length; k++) {
          out[target] = data[at++]!;
          target += pixelStride;
        }
        written += length;
      } else if (n > 128) {
        const length = 257 - n;
        if (at >= end || written + length > pixels) throw new RleError(`segment ${plane + 1} has a replicate run past its end`);
        const value = data[at++]!;
        for (let k = 0; k < length; k++) {
          out[target] = value;
          target += pixelStride;
        }
        written += length;
      }
    }
    if (written < pixels) throw new RleError(`segment ${plane + 1} decodes to ${written} of ${pixels} bytes`);
  }
  return out;
}
