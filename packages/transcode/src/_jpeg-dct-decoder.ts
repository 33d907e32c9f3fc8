// A sequential-DCT Huffman JPEG decoder (ITU T.81 processes 1, 2 and 4: SOF0 and SOF1 frames), greyscale, 8 or
// 12 bits. Written by hand from T.81 (Annexes B, C, F) because no decoder available to Node decodes 12-bit lossy
// JPEG exactly. The inverse DCT is the accurate integer method the IJG library calls "islow" (the
// Loeffler-Ligtenberg-Moschytz factorisation, 13-bit fixed-point constants, two passes with PASS1_BITS of extra
// precision between them, the output clamped through a wrap-around range table), implemented from its published
// description, so the samples equal those of the IJG-based decoders DCMTK and GDCM use.
import { DicomError } from '@dicom-tools/core';

/** A decoded greyscale frame: one sample per pixel, row by row. */
export interface DctDecodedFrame {
  readonly precision: number;
  readonly rows: number;
  readonly columns: number;
  readonly samples: Uint16Array;
}

interface HuffmanTable {
  /** 9-bit lookahead: (code length << 8) | value, or 0 when the code is longer than 9 bits. */
  readonly fast: Uint16Array;
  readonly maxcode: Int32Array;
  readonly valptr: Int32Array;
  readonly mincode: Int32Array;
  readonly values: Uint8Array;
}

interface FrameComponent {
  readonly id: number;
  readonly quantTable: number;
}

const FAST_BITS = 9;

// Zigzag index -> natural (row-major) index, with 16 extra entries so a corrupt run past the end lands on 63.
const NATURAL_ORDER = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55,
  62, 63, ...new Array<number>(16).fill(63),
]);

function fail(message: string): never {
  throw new DicomError('TRANSCODE_DECODE_FAILED', `JPEG DCT decoder: ${message}`);
}

/** Builds the decoding tables of T.81 F.2.2.3 (and a lookahead table) from a DHT table's BITS and HUFFVAL. */
function buildHuffmanTable(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  const fast = new Uint16Array(1 << FAST_BITS);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1]!;
    if (count > 0) {
      valptr[length] = index;
      mincode[length] = code;
      for (let i = 0; i < count; i++, code++, index++) {
        if (length <= FAST_BITS) {
          const shift = FAST_BITS - length;
          for (let fill = 0; fill < 1 << shift; fill++) fast[(code << shift) | fill] = (length << 8) | values[index]!;
        }
      }
      maxcode[length] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { fast, maxcode, valptr, mincode, values };
}

/** Reads entropy-coded bits, removing stuffed zero bytes; past a marker (or the end) it supplies zero bits, as IJG does. */
class BitReader {
  private acc = 0;
  private bits = 0;
  private atMarker = false;

  constructor(
    private readonly data: Uint8Array,
    public pos: number,
  ) {}

  private fill(): void {
    while (this.bits <= 24) {
      let byte = 0;
      if (!this.atMarker && this.pos < this.data.length) {
        byte = this.data[this.pos]!;
        if (byte === 0xff) {
          const next = this.data[this.pos + 1];
          if (next === 0x00) this.pos += 2;
          else {
            this.atMarker = true;
            byte = 0;
          }
        } else this.pos++;
      }
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /** The next `n` (1-16) bits as an unsigned number. */
  receive(n: number): number {
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  /** The next Huffman-coded value. */
  decode(table: HuffmanTable): number {
    if (this.bits < 16) this.fill();
    const entry = table.fast[(this.acc >>> (this.bits - FAST_BITS)) & ((1 << FAST_BITS) - 1)]!;
    if (entry !== 0) {
      this.bits -= entry >>> 8;
      return entry & 0xff;
    }
    for (let length = FAST_BITS + 1; length <= 16; length++) {
      const code = (this.acc >>> (this.bits - length)) & ((1 << length) - 1);
      if (code <= table.maxcode[length]!) {
        this.bits -= length;
        return table.values[table.valptr[length]! + code - table.mincode[length]!] ?? fail('a Huffman code points past its table');
      }
    }
    return fail('a bad Huffman code in the scan');
  }

  /** Drops the buffered bits and steps over the next RSTn marker. */
  restart(): void {
    this.acc = 0;
    this.bits = 0;
    this.atMarker = false;
    const data = this.data;
    while (this.pos + 1 < data.length && !(data[this.pos] === 0xff && data[this.pos + 1]! >= 0xd0 && data[this.pos + 1]! <= 0xd7)) this.pos++;
    if (this.pos + 1 >= data.length) fail('a restart marker is missing');
    this.pos += 2;
  }
}

/** T.81 F.2.2.1 EXTEND: the signed value of `s` bits `v`. */
function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

// The islow constants: round(c * 2^13).
const CONST_BITS = 13;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** Arithmetic right shift by `n` with rounding, exact for values beyond 32 bits (IJG's DESCALE on a 64-bit long). */
function descale(x: number, n: number): number {
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * One 1-D 8-point inverse DCT (islow) of `v[at + k*step]`, k = 0..7, written to `out[k]` after `descale(.., shift)`.
 * Even part from inputs 0, 2, 4, 6; odd part from 1, 3, 5, 7.
 */
function idct8(v: ArrayLike<number>, at: number, step: number, shift: number, out: Float64Array): void {
  const d0 = v[at]!, d1 = v[at + step]!, d2 = v[at + 2 * step]!, d3 = v[at + 3 * step]!;
  const d4 = v[at + 4 * step]!, d5 = v[at + 5 * step]!, d6 = v[at + 6 * step]!, d7 = v[at + 7 * step]!;
  const z1 = (d2 + d6) * FIX_0_541196100;
  const even2 = z1 - d6 * FIX_1_847759065;
  const even3 = z1 + d2 * FIX_0_765366865;
  const even0 = (d0 + d4) * 2 ** CONST_BITS;
  const even1 = (d0 - d4) * 2 ** CONST_BITS;
  const t10 = even0 + even3, t13 = even0 - even3, t11 = even1 + even2, t12 = even1 - even2;
  const z5 = (d7 + d3 + d5 + d1) * FIX_1_175875602;
  const a = -(d7 + d1) * FIX_0_899976223;
  const b = -(d5 + d3) * FIX_2_562915447;
  const c = -(d7 + d3) * FIX_1_961570560 + z5;
  const d = -(d5 + d1) * FIX_0_390180644 + z5;
  const o0 = d7 * FIX_0_298631336 + a + c;
  const o1 = d5 * FIX_2_053119869 + b + d;
  const o2 = d3 * FIX_3_072711026 + b + c;
  const o3 = d1 * FIX_1_501321110 + a + d;
  out[0] = descale(t10 + o3, shift);
  out[7] = descale(t10 - o3, shift);
  out[1] = descale(t11 + o2, shift);
  out[6] = descale(t11 - o2, shift);
  out[2] = descale(t12 + o1, shift);
  out[5] = descale(t12 - o1, shift);
  out[3] = descale(t13 + o0, shift);
  out[4] = descale(t13 - o0, shift);
}

/** Scratch space for the two IDCT passes, owned by one decode call. */
interface IdctScratch {
  readonly dequantized: Float64Array;
  readonly workspace: Int32Array;
  readonly line: Float64Array;
}

/**
 * Dequantizes and inverse-transforms one block into `samples` at (x, y), clipped to the image. Columns first
 * (keeping PASS1_BITS extra bits), then rows; the row results are level-shifted and clamped as IJG's range
 * table does: values wrap modulo 4 * 2^precision before clamping to 0 .. 2^precision - 1.
 */
function inverseDct(block: Int16Array, quant: Uint16Array, precision: number, scratch: IdctScratch, samples: Uint16Array, x: number, y: number, columns: number, rows: number): void {
  const pass1Bits = precision === 8 ? 2 : 1;
  const { dequantized, workspace, line } = scratch;
  for (let i = 0; i < 64; i++) dequantized[i] = block[i]! * quant[i]!;
  for (let column = 0; column < 8; column++) {
    idct8(dequantized, column, 8, CONST_BITS - pass1Bits, line);
    for (let k = 0; k < 8; k++) workspace[k * 8 + column] = line[k]!; // the workspace is C int: 32 bits
  }
  const range = 1 << precision;
  const center = range >> 1;
  const wrap = 4 * range;
  const width = Math.min(8, columns - x);
  const height = Math.min(8, rows - y);
  for (let row = 0; row < height; row++) {
    idct8(workspace, row * 8, 1, CONST_BITS + pass1Bits + 3, line);
    const to = (y + row) * columns + x;
    for (let k = 0; k < width; k++) {
      const wrapped = ((((line[k]! + wrap / 2) % wrap) + wrap) % wrap) - wrap / 2;
      const value = wrapped + center;
      samples[to + k] = value < 0 ? 0 : value >= range ? range - 1 : value;
    }
  }
}

interface Tables {
  readonly quant: (Uint16Array | undefined)[];
  readonly dc: (HuffmanTable | undefined)[];
  readonly ac: (HuffmanTable | undefined)[];
}

function readDqt(data: Uint8Array, at: number, end: number, tables: Tables): void {
  while (at < end) {
    const pq = data[at]! >> 4;
    const tq = data[at]! & 15;
    at++;
    if (tq > 3) fail(`quantization table ${tq} is out of range`);
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      table[NATURAL_ORDER[k]!] = pq === 0 ? data[at + k]! : (data[at + 2 * k]! << 8) | data[at + 2 * k + 1]!;
    }
    at += pq === 0 ? 64 : 128;
    tables.quant[tq] = table;
  }
}

function readDht(data: Uint8Array, at: number, end: number, tables: Tables): void {
  while (at < end) {
    const tc = data[at]! >> 4;
    const th = data[at]! & 15;
    const counts = data.subarray(at + 1, at + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (th > 3 || tc > 1 || total > 256) fail('a bad Huffman table');
    const table = buildHuffmanTable(counts, data.slice(at + 17, at + 17 + total));
    (tc === 0 ? tables.dc : tables.ac)[th] = table;
    at += 17 + total;
  }
}

/**
 * Decodes a greyscale sequential-DCT Huffman JPEG stream (SOF0 or SOF1, precision 8 or 12, one component, with or
 * without restart intervals). Throws TRANSCODE_UNSUPPORTED for other processes or several components and
 * TRANSCODE_DECODE_FAILED for a damaged stream.
 */
export function decodeDctJpeg(data: Uint8Array): DctDecodedFrame {
  if (data[0] !== 0xff || data[1] !== 0xd8) fail('the stream does not start with SOI');
  const tables: Tables = { quant: [], dc: [], ac: [] };
  let frame: { precision: number; rows: number; columns: number; component: FrameComponent } | undefined;
  let restartInterval = 0;
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) fail(`no marker at byte ${at}`);
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) break;
    if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = (data[at + 2]! << 8) | data[at + 3]!;
    const body = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > data.length) fail(`marker 0x${marker.toString(16)} runs past the end of the stream`);
    if (marker === 0xdb) readDqt(data, body, end, tables);
    else if (marker === 0xc4) readDht(data, body, end, tables);
    else if (marker === 0xdd) restartInterval = (data[body]! << 8) | data[body + 1]!;
    else if (marker === 0xc0 || marker === 0xc1) {
      const precision = data[body]!;
      const rows = (data[body + 1]! << 8) | data[body + 2]!;
      const columns = (data[body + 3]! << 8) | data[body + 4]!;
      const count = data[body + 5]!;
      if (precision !== 8 && precision !== 12) fail(`sample precision ${precision} is not 8 or 12`);
      if (count !== 1) throw new DicomError('TRANSCODE_UNSUPPORTED', `JPEG DCT decoder: ${precision}-bit streams with ${count} components are not supported (greyscale only)`);
      if (rows === 0 || columns === 0) throw new DicomError('TRANSCODE_UNSUPPORTED', 'JPEG DCT decoder: a frame whose height comes in a DNL marker is not supported');
      frame = { precision, rows, columns, component: { id: data[body + 6]!, quantTable: data[body + 8]! } };
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new DicomError('TRANSCODE_UNSUPPORTED', `JPEG DCT decoder: SOF 0x${marker.toString(16)} (progressive, lossless, hierarchical or arithmetic coding) is not supported`);
    } else if (marker === 0xda) {
      if (frame === undefined) fail('a scan before the frame header');
      if (data[body] !== 1 || data[body + 1] !== frame.component.id) fail('the scan does not code the frame\'s component');
      const dc = tables.dc[data[body + 2]! >> 4];
      const ac = tables.ac[data[body + 2]! & 15];
      const quant = tables.quant[frame.component.quantTable];
      if (dc === undefined || ac === undefined || quant === undefined) fail('the scan uses a table that was not defined');
      return { ...frame, samples: decodeScan(data, end, frame, dc, ac, quant, restartInterval) };
    }
    at = end;
  }
  return fail('no scan in the stream');
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: { precision: number; rows: number; columns: number },
  dc: HuffmanTable,
  ac: HuffmanTable,
  quant: Uint16Array,
  restartInterval: number,
): Uint16Array {
  const { precision, rows, columns } = frame;
  const samples = new Uint16Array(rows * columns);
  const blocksPerLine = Math.ceil(columns / 8);
  const blockCount = blocksPerLine * Math.ceil(rows / 8);
  const reader = new BitReader(data, start);
  const block = new Int16Array(64);
  const scratch: IdctScratch = { dequantized: new Float64Array(64), workspace: new Int32Array(64), line: new Float64Array(8) };
  let predictor = 0;
  for (let n = 0; n < blockCount; n++) {
    if (restartInterval > 0 && n > 0 && n % restartInterval === 0) {
      reader.restart();
      predictor = 0;
    }
    block.fill(0);
    const t = reader.decode(dc);
    if (t > 16) fail('a DC difference of more than 16 bits');
    if (t > 0) predictor += extend(reader.receive(t), t);
    block[0] = predictor;
    for (let k = 1; k < 64; k++) {
      const rs = reader.decode(ac);
      const r = rs >> 4;
      const s = rs & 15;
      if (s !== 0) {
        k += r;
        block[NATURAL_ORDER[k]!] = extend(reader.receive(s), s);
      } else {
        if (r !== 15) break;
        k += 15;
      }
    }
    inverseDct(block, quant, precision, scratch, samples, (n % blocksPerLine) * 8, Math.floor(n / blocksPerLine) * 8, columns, rows);
  }
  return samples;
}
