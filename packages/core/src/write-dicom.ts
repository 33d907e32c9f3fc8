import { randomBytes } from 'node:crypto';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { createCharsetContext } from './_charset.js';
import { createSink, encodeDataset, type Encoding } from './_encode-dataset.js';
import { isEncapsulated, type DataElement, type Dataset, type DicomFile } from './dataset.js';
import { DicomError, fileSystemError } from './errors.js';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax.js';
import { isTextVr } from './vr.js';

/** Our Implementation Class UID (0002,0012): a UUID-derived UID (PS3.5 B.2), fixed for this implementation. */
export const IMPLEMENTATION_CLASS_UID = '2.25.87298651929298003454265305826624492232';
/** Our Implementation Version Name (0002,0013). */
export const IMPLEMENTATION_VERSION_NAME = 'DICOMTOOLS_0_1';

/** Options for writing DICOM Part 10. */
export interface WriteOptions {
  /**
   * Transfer syntax to write: one of the four native syntaxes, or the file's own encapsulated syntax when its
   * pixel data is compressed. Default: the file's own syntax.
   */
  readonly transferSyntaxUID?: string;
  /** Source Application Entity Title (0002,0016) to record; default: the one already in the meta, if any. */
  readonly sourceApplicationEntityTitle?: string;
}

/** Options for writing to disk. */
export interface WriteFileOptions extends WriteOptions {
  readonly signal?: AbortSignal;
}

function textElement(tag: number, vr: 'UI' | 'SH' | 'AE', value: string): DataElement {
  return { tag, vr, value: [value] };
}

function firstText(dataset: Dataset, tag: number): string | undefined {
  const e = dataset.elements.get(tag);
  return e && isTextVr(e.vr) ? (e.value as readonly string[])[0] : undefined;
}

/** The file meta group we write for `file` in `syntax` (group length is added by the encoder). */
export function buildFileMeta(file: DicomFile, syntax: string, options: WriteOptions = {}): Dataset {
  const elements = new Map<number, DataElement>();
  const add = (e: DataElement): void => void elements.set(e.tag, e);
  add({ tag: 0x00020000, vr: 'UL', value: [0] });
  add({ tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) });
  const sopClass = firstText(file.dataset, 0x00080016) ?? firstText(file.meta, 0x00020002) ?? '';
  const sopInstance = firstText(file.dataset, 0x00080018) ?? firstText(file.meta, 0x00020003) ?? '';
  add(textElement(0x00020002, 'UI', sopClass));
  add(textElement(0x00020003, 'UI', sopInstance));
  add(textElement(0x00020010, 'UI', syntax));
  add(textElement(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID));
  add(textElement(0x00020013, 'SH', IMPLEMENTATION_VERSION_NAME));
  const aet = options.sourceApplicationEntityTitle ?? firstText(file.meta, 0x00020016);
  if (aet !== undefined && aet !== '') add(textElement(0x00020016, 'AE', aet));
  for (const tag of [0x00020100, 0x00020102]) {
    const e = file.meta.elements.get(tag);
    if (e) add(e);
  }
  return { elements };
}

/** Checks that `dataset`'s pixel data can be written in `syntax` and returns the syntax's description. */
function checkSyntax(file: DicomFile, syntax: string): ReturnType<typeof transferSyntaxInfo> {
  const info = transferSyntaxInfo(syntax);
  const pixel = file.dataset.elements.get(PIXEL_DATA);
  const compressed = pixel !== undefined && isEncapsulated(pixel);
  if (info.encapsulated && !compressed && pixel !== undefined) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot write native pixel data as ${info.name}: compress it with @dicom-tools/transcode`);
  }
  if (!info.encapsulated && compressed) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot write compressed (${transferSyntaxInfo(file.transferSyntaxUID).name}) pixel data as ${info.name}: decompress it with @dicom-tools/transcode`);
  }
  if (compressed && syntax !== file.transferSyntaxUID) {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `cannot relabel ${transferSyntaxInfo(file.transferSyntaxUID).name} pixel data as ${info.name}: transcode it`);
  }
  if (syntax === '1.2.840.10008.1.2.4.95') {
    throw new DicomError('CORE_UNSUPPORTED_TRANSFER_SYNTAX', `writing ${info.name} is not supported`);
  }
  return info;
}

const PIXEL_DATA = 0x7fe00010;

/**
 * Bytes to reserve up front (the buffer doubles when they run out): the pixel data (the bulk of most files) plus
 * room for the rest. Without pixel data (a header-only read), about 32 bytes per top-level element, what headers
 * take on average: most then fit Node's shared allocation pool instead of a fresh allocation per file.
 */
function capacityFor(dataset: Dataset): number {
  const pixel = dataset.elements.get(PIXEL_DATA);
  let bulk = 0;
  if (pixel !== undefined && isEncapsulated(pixel)) bulk = pixel.value.fragments.reduce((sum, f) => sum + f.length + 9, pixel.value.basicOffsetTable.length + 32);
  else if (pixel !== undefined && pixel.value instanceof Uint8Array) bulk = pixel.value.length + 1;
  if (bulk === 0) return 132 + 256 + 32 * dataset.elements.size;
  return 132 + 1024 + bulk + 32 * 1024;
}

/**
 * Encodes a DicomFile as DICOM Part 10 bytes: a 128-byte zero preamble, `DICM`, a fresh file meta group
 * (group length, version 00\01, SOP class and instance equal to the data set's, our implementation UID and
 * version name), then the data set in the chosen transfer syntax. Sequences are written with defined lengths,
 * except, in implicit VR, those the data dictionary does not know as sequences (undefined lengths, so that a
 * reader can still find their items). Text read from a file and left unchanged is written back byte for byte;
 * other text is encoded in the data set's Specific Character Set, or throws CORE_CHARSET_UNENCODABLE.
 * Throws CORE_UNSUPPORTED_TRANSFER_SYNTAX for pixel data the syntax cannot carry, CORE_INVALID_VALUE for a value
 * its VR cannot hold. The bytes are a view into a larger buffer, which for a small file is Node's shared Buffer pool
 * (as with `Buffer.from(string)`): use the view itself, and copy it (`slice()`) before transferring its ArrayBuffer.
 */
export function writeDicom(file: DicomFile, options: WriteOptions = {}): Uint8Array {
  const syntax = options.transferSyntaxUID ?? file.transferSyntaxUID ?? TransferSyntax.ExplicitVRLittleEndian;
  const info = checkSyntax(file, syntax);
  const charset = createCharsetContext();
  const out = createSink(capacityFor(file.dataset));
  out.buffer.fill(0, 0, 128);
  out.buffer.write('DICM', 128, 'latin1');
  out.at = 132;
  encodeDataset(out, buildFileMeta(file, syntax, options), { explicitVR: true, littleEndian: true, encapsulated: false, charset }, [''], 0);
  const bodyStart = out.at;
  const enc: Encoding = { explicitVR: info.explicitVR, littleEndian: info.littleEndian, encapsulated: info.encapsulated, charset };
  encodeDataset(out, file.dataset, enc, [''], 0);
  if (info.deflated) {
    const deflated = deflateRawSync(out.buffer.subarray(bodyStart, out.at));
    const whole = Buffer.allocUnsafe(bodyStart + deflated.length);
    out.buffer.copy(whole, 0, 0, bodyStart);
    whole.set(deflated, bodyStart);
    return whole;
  }
  return out.buffer.subarray(0, out.at);
}

/**
 * Writes a DicomFile to `path` atomically: the bytes go to a temporary file in the same folder, which is
 * renamed over `path` only when complete. On any failure no partial file is left and `path` is untouched.
 */
export async function writeDicomFile(path: string, file: DicomFile, options: WriteFileOptions = {}): Promise<void> {
  if (options.signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'write aborted', { file: path, cause: options.signal.reason });
  let bytes: Uint8Array;
  try {
    bytes = writeDicom(file, options);
  } catch (error) {
    throw withFileName(error, path);
  }
  await writeFileAtomic(path, bytes, options.signal);
}

function withFileName(error: unknown, path: string): unknown {
  if (!(error instanceof DicomError) || error.file !== undefined) return error;
  return new DicomError(error.code, error.message, { file: path, ...(error.tag !== undefined ? { tag: error.tag } : {}), cause: error });
}

/**
 * Writes bytes to `path` through a temporary file in the same folder and a rename, so that `path` holds the old
 * file or the whole new one, never a part. `bytes` may be a list of parts, written end to end in order without
 * being joined first (a large file made of a header and a body is written without a copy of the body). Throws
 * CORE_IO (the temporary file removed, an old file at `path` left as it was) or CORE_ABORTED.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (bytes instanceof Uint8Array) await writeFile(temp, bytes, signal ? { signal, flag: 'wx' } : { flag: 'wx' });
    else await writeParts(temp, bytes, path, signal);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fileSystemError(error, path, 'cannot write');
  }
}

/** Writes `parts` end to end to a new file `temp` (one write call per part, as large as the system takes). */
async function writeParts(temp: string, parts: readonly Uint8Array[], path: string, signal: AbortSignal | undefined): Promise<void> {
  const handle = await open(temp, 'wx');
  try {
    for (const part of parts) {
      if (signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'write aborted', { file: path, cause: signal.reason });
      let at = 0;
      while (at < part.length) at += (await handle.write(part, at, part.length - at)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
