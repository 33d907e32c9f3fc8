// A gzip member (RFC 1952) compressed in parallel: the input is cut into chunks that zlib deflates at the same time
// on libuv's thread pool (node:zlib's asynchronous calls). Every chunk but the last ends with a sync flush, which
// leaves the deflate stream byte-aligned and not final, so the chunks join into one valid deflate stream; the
// CRC-32 runs over the input in order. Each chunk starts without the previous chunk's 32 KiB window, which costs
// a little ratio at chunk boundaries.
import { constants, crc32, deflateRaw } from 'node:zlib';

/** Options of {@link gzipParallel}. */
export interface GzipOptions {
  /** zlib level, 0-9. */
  readonly level: number;
  /** Bytes of input per chunk. */
  readonly chunkSize: number;
}

function deflateChunk(chunk: Uint8Array, level: number, last: boolean): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    deflateRaw(chunk, { level, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** Cuts `parts` (read end to end) into chunks of about `size` bytes, as views where possible. */
function chunksOf(parts: readonly Uint8Array[], size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    for (let at = 0; at < part.length; at += size) chunks.push(part.subarray(at, Math.min(part.length, at + size)));
  }
  if (chunks.length === 0) chunks.push(new Uint8Array(0));
  return chunks;
}

/** The gzip of `parts` read end to end, as a list of byte arrays to write in order. */
export async function gzipParallel(parts: readonly Uint8Array[], options: GzipOptions): Promise<Uint8Array[]> {
  const chunks = chunksOf(parts, options.chunkSize);
  const compressed = Promise.all(chunks.map((chunk, i) => deflateChunk(chunk, options.level, i === chunks.length - 1)));
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    crc = crc32(part, crc);
    length += part.length;
  }
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, options.level >= 9 ? 2 : options.level <= 1 ? 4 : 0, 3);
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, length % 2 ** 32, true);
  return [header, ...(await compressed), trailer];
}
