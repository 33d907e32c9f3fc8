/** Unsigned 16-bit samples, little-endian, from `value(column, row)` for one frame, rows first. */
export function grey16(rows: number, columns: number, value: (column: number, row: number) => number): Uint8Array {
  const out = new Uint8Array(rows * columns * 2);
  const view = new DataView(out.buffer);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) view.setUint16((row * columns + column) * 2, value(column, row), true);
  }
  return out;
}

/** Joins frames (or any byte arrays) end to end. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Packs 0/1 samples into bytes as PS3.5 8.1.1 lays out BitsAllocated 1: the first sample in the least
 * significant bit of the first byte, frames following each other without padding; the total is padded
 * with zero bits to a whole, even number of bytes.
 */
export function packBits(samples: readonly number[] | Uint8Array): Uint8Array {
  const length = Math.ceil(samples.length / 8);
  const out = new Uint8Array(length + (length % 2));
  for (let i = 0; i < samples.length; i++) if (samples[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}
