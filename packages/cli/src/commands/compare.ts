import { createHash } from 'node:crypto';
import {
  decodeFrame, describePixels, formatTag, isDicomError, keywordOf, withFile, type CodecRegistry, type DataElement, type Dataset, type DicomFile,
} from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { codecsFor } from '../_codecs.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';

/** Flags of `dicom-tools compare`. */
export type CompareOptions = CommonOptions;

const PIXEL_TAGS = new Set([0x7fe00010, 0x7fe00008, 0x7fe00009, 0x7fe00001, 0x7fe00002]);

interface TagDifference {
  readonly tag: string;
  readonly keyword: string | undefined;
  readonly change: 'only-in-a' | 'only-in-b' | 'different';
}

interface PixelDifference {
  readonly comparable: boolean;
  readonly reason?: string;
  readonly samples?: number;
  readonly differing?: number;
  readonly maxAbsDiff?: number;
  readonly meanAbsDiff?: number;
}

/** A canonical fingerprint of an element's value (VR included), so that equal values compare equal. */
function fingerprint(element: DataElement): string {
  const hash = createHash('sha1');
  hash.update(element.vr);
  const feed = (value: unknown): void => {
    if (value instanceof Uint8Array) hash.update(value);
    else if (Array.isArray(value)) for (const v of value) feed(v);
    else if (typeof value === 'object' && value !== null && 'elements' in value) {
      for (const e of [...(value as Dataset).elements.values()].sort((a, b) => a.tag - b.tag)) hash.update(`${e.tag}:${fingerprint(e)};`);
    } else if (typeof value === 'object' && value !== null && 'fragments' in value) {
      for (const f of (value as { fragments: Uint8Array[] }).fragments) hash.update(f);
    } else hash.update(`${String(value)}\\`);
  };
  feed(element.value);
  return hash.digest('hex');
}

function tagDifferences(a: Dataset, b: Dataset): TagDifference[] {
  const tags = [...new Set([...a.elements.keys(), ...b.elements.keys()])].filter((t) => !PIXEL_TAGS.has(t)).sort((x, y) => x - y);
  const out: TagDifference[] = [];
  for (const tag of tags) {
    const ea = a.elements.get(tag);
    const eb = b.elements.get(tag);
    const change = ea === undefined ? 'only-in-b' : eb === undefined ? 'only-in-a' : fingerprint(ea) !== fingerprint(eb) ? 'different' : undefined;
    if (change !== undefined) out.push({ tag: formatTag(tag), keyword: keywordOf(tag), change });
  }
  return out;
}

async function pixelDifference(a: DicomFile, b: DicomFile, signal: AbortSignal): Promise<PixelDifference | undefined> {
  const hasA = [...PIXEL_TAGS].some((t) => a.dataset.elements.has(t));
  const hasB = [...PIXEL_TAGS].some((t) => b.dataset.elements.has(t));
  if (!hasA && !hasB) return undefined;
  if (hasA !== hasB) return { comparable: false, reason: `only ${hasA ? 'A' : 'B'} has pixel data` };
  const [da, db] = [describePixels(a.dataset), describePixels(b.dataset)];
  const shape = (d: typeof da): string => `${d.numberOfFrames}x${d.rows}x${d.columns}x${d.samplesPerPixel}`;
  if (shape(da) !== shape(db)) return { comparable: false, reason: `shapes differ: ${shape(da)} (frames x rows x columns x samples) vs ${shape(db)}` };
  const [ca, cb] = await Promise.all([codecsFor(a), codecsFor(b)]);
  const options = (codecs: CodecRegistry | undefined) => ({ signal, ...(codecs !== undefined ? { codecs } : {}) });
  let samples = 0;
  let differing = 0;
  let max = 0;
  let total = 0;
  for (let i = 0; i < da.numberOfFrames; i++) {
    const [fa, fb] = await Promise.all([decodeFrame(a, i, options(ca)), decodeFrame(b, i, options(cb))]);
    for (let k = 0; k < fa.data.length; k++) {
      const d = Math.abs(fa.data[k]! - fb.data[k]!);
      if (d !== 0) differing++;
      if (d > max) max = d;
      total += d;
    }
    samples += fa.data.length;
  }
  return { comparable: true, samples, differing, maxAbsDiff: max, meanAbsDiff: samples > 0 ? total / samples : 0 };
}

/**
 * `dicom-tools compare A B [--json]`: the top-level elements that differ (pixel data aside) and how the decoded
 * pixels differ (samples that differ, max and mean absolute difference). Exit 0 when nothing differs, 1 when
 * something does (as `cmp` does).
 */
export async function runCompare(fileA: string, fileB: string, options: CompareOptions, context: CommandContext): Promise<number> {
  const [a, b] = [await readInput(fileA, context), await readInput(fileB, context)];
  const tags = tagDifferences(a.dataset, b.dataset);
  let pixels: PixelDifference | undefined;
  try {
    pixels = await pixelDifference(a, b, context.signal);
  } catch (error) {
    if (isDicomError(error) && error.code === 'CORE_ABORTED') throw error;
    throw isDicomError(error) ? withFile(error, `${fileA} / ${fileB}`) : error;
  }
  const same = tags.length === 0 && (pixels === undefined || (pixels.comparable && pixels.differing === 0)) && a.transferSyntaxUID === b.transferSyntaxUID;
  if (options.json === true) {
    printJson(context.io, { a: fileA, b: fileB, identical: same, transferSyntax: { a: a.transferSyntaxUID, b: b.transferSyntaxUID }, tags, pixels: pixels ?? null });
  } else if (options.quiet !== true) {
    const lines = [`A ${fileA}`, `B ${fileB}`];
    if (a.transferSyntaxUID !== b.transferSyntaxUID) lines.push(`transfer syntax: A ${a.transferSyntaxUID}, B ${b.transferSyntaxUID}`);
    lines.push(`${tags.length} element(s) differ${tags.length > 0 ? ':' : ''}`);
    for (const t of tags) lines.push(`  ${t.tag} ${(t.keyword ?? '').padEnd(32)} ${t.change}`);
    if (pixels === undefined) lines.push('pixels: neither has pixel data');
    else if (!pixels.comparable) lines.push(`pixels: not comparable (${pixels.reason!})`);
    else lines.push(`pixels: ${pixels.differing} of ${pixels.samples} samples differ, max abs diff ${pixels.maxAbsDiff}, mean abs diff ${pixels.meanAbsDiff!.toPrecision(4)}`);
    lines.push(same ? 'identical' : 'different');
    context.io.stdout(`${lines.join('\n')}\n`);
  }
  return same ? ExitCodes.ok : ExitCodes.failed;
}
