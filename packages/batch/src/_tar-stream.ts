// A streaming reader of tar archives (POSIX ustar, with GNU long names and PAX `path`/`size` records): it yields one
// regular file at a time from a stream of chunks, so a .tar or .tar.gz of any size is read with one member in memory,
// never the whole archive. Hand-written because nanotar (used for nothing else now) parses a whole buffer only, and
// the streaming packages either pull in a stream stack (tar-stream: streamx, b4a, fast-fifo, bare-fs) or ship ESM
// only (modern-tar), which CommonJS test hosts cannot load.

/** One regular file of a tar archive. */
export interface TarMember {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/** Reads exact byte counts from a stream of chunks. */
function byteReader(chunks: AsyncIterable<Uint8Array>): { read(n: number): Promise<Uint8Array | undefined>; skip(n: number): Promise<boolean> } {
  const iterator = chunks[Symbol.asyncIterator]();
  let pending: Uint8Array[] = [];
  let available = 0;
  const fill = async (n: number): Promise<boolean> => {
    while (available < n) {
      const next = await iterator.next();
      if (next.done === true) return false;
      const chunk = next.value instanceof Uint8Array ? next.value : new Uint8Array(next.value as ArrayBuffer);
      pending.push(chunk);
      available += chunk.length;
    }
    return true;
  };
  const take = (n: number, keep: boolean): Uint8Array | undefined => {
    const out = keep ? new Uint8Array(n) : undefined;
    let at = 0;
    while (at < n) {
      const head = pending[0]!;
      const used = Math.min(head.length, n - at);
      out?.set(head.subarray(0, used), at);
      at += used;
      if (used === head.length) pending.shift();
      else pending[0] = head.subarray(used);
    }
    available -= n;
    if (pending.length === 0) pending = [];
    return out;
  };
  return {
    async read(n) {
      return (await fill(n)) ? take(n, true) : undefined;
    },
    async skip(n) {
      // Skips in block-sized steps so a huge unwanted member is never held in memory.
      let left = n;
      while (left > 0) {
        const step = Math.min(left, 1 << 20);
        if (!(await fill(step))) return false;
        take(step, false);
        left -= step;
      }
      return true;
    },
  };
}

/** A NUL-terminated text field. */
function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end >= 0 ? bytes.subarray(0, end) : bytes);
}

/** A numeric field: octal text, or GNU base-256 when the high bit of the first byte is set. */
function numeric(block: Uint8Array, start: number, length: number): number {
  if ((block[start]! & 0x80) !== 0) {
    let value = block[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = field(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`bad tar header: numeric field "${text}"`);
  return Number.parseInt(text, 8);
}

/** True when the header's checksum (sum of its bytes with the checksum field as spaces) matches. */
function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === numeric(block, 148, 8);
}

/** PAX records (`LEN key=value\n`...) as a map. */
function paxRecords(bytes: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const text = decoder.decode(bytes);
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space < 0) break;
    const length = Number.parseInt(text.slice(at, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    // LEN counts bytes; the records we use (path, size) are re-read from the decoded text, which matches for ASCII
    // and UTF-8 alike because the record ends with its newline.
    const end = text.indexOf('\n', space);
    if (end < 0) break;
    const record = text.slice(space + 1, end);
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at = end + 1;
  }
  return records;
}

/**
 * The regular files of a tar stream, in archive order. Throws an Error (with a plain message) on a damaged header
 * or a stream that ends inside a member.
 */
export async function* readTarStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarMember, void, undefined> {
  const reader = byteReader(chunks);
  let longName: string | undefined;
  let pax = new Map<string, string>();
  let global = new Map<string, string>();
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === undefined) return; // no end-of-archive blocks: tolerated, as tar(1) does
    if (header.every((b) => b === 0)) return;
    if (!checksumOk(header)) throw new Error('bad tar header: checksum mismatch');
    const type = String.fromCharCode(header[156]!);
    const overrides = new Map([...global, ...pax]);
    const size = overrides.has('size') ? Number(overrides.get('size')) : numeric(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('bad tar header: size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x' || type === 'g') {
      const data = await reader.read(padded);
      if (data === undefined) throw new Error('tar stream ends inside a header extension');
      const body = data.subarray(0, size);
      if (type === 'L') longName = field(body, 0, body.length);
      else if (type === 'x') pax = paxRecords(body);
      else global = paxRecords(body);
      continue;
    }
    const magic = field(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? field(header, 345, 155) : '';
    const name = overrides.get('path') ?? longName ?? (prefix !== '' ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    pax = new Map();
    if (type === '0' || type === '\0' || type === '7') {
      const data = await reader.read(padded);
      if (data === undefined) throw new Error('tar stream ends inside a member');
      yield { name, bytes: data.subarray(0, size) };
    } else if (!(await reader.skip(padded))) {
      throw new Error('tar stream ends inside a member');
    }
  }
}
