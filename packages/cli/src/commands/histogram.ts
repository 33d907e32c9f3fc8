import { decodeFrame, describePixels, histogram, isDicomError, withFile } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { codecsFor } from '../_codecs.js';
import { frameIndexOption, numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools histogram`. */
export interface HistogramOptions extends CommonOptions {
  readonly bins?: string;
  readonly frame?: string;
  /** `LOW,HIGH`: the range the bins cover. */
  readonly range?: string;
  readonly units?: 'stored' | 'modality';
}

const BAR = 50;

function edgeText(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** `dicom-tools histogram FILE [--bins N] [--range LOW,HIGH] [--frame N] [--json]`: counts in equal bins, as text bars or JSON. */
export async function runHistogram(file: string, options: HistogramOptions, context: CommandContext): Promise<number> {
  const bins = numberOption(options.bins, '--bins', (n) => Number.isInteger(n) && n >= 1 && n <= 100000) ?? 32;
  const index = frameIndexOption(options.frame) ?? 0;
  let range: [number, number] | undefined;
  if (options.range !== undefined) {
    const parts = options.range.split(',').map(Number);
    if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[1]! < parts[0]!) throw new UsageError(`--range takes LOW,HIGH with LOW <= HIGH, not "${options.range}"`);
    range = [parts[0]!, parts[1]!];
  }
  const dicom = await readInput(file, context);
  try {
    const count = describePixels(dicom.dataset).numberOfFrames;
    if (index >= count) throw new UsageError(`--frame ${index + 1} does not exist: the image has ${count} frame(s)`);
    const codecs = await codecsFor(dicom);
    const frame = await decodeFrame(dicom, index, { signal: context.signal, ...(codecs !== undefined ? { codecs } : {}) });
    const result = histogram(frame, { dataset: dicom.dataset, bins, ...(range !== undefined ? { range } : {}), ...(options.units !== undefined ? { units: options.units } : {}) });
    if (options.json === true) {
      printJson(context.io, { file, frame: index + 1, bins, ...result });
      return ExitCodes.ok;
    }
    const most = Math.max(1, ...result.counts);
    const lows = result.edges.slice(0, -1).map(edgeText);
    const highs = result.edges.slice(1).map(edgeText);
    const lowWidth = Math.max(...lows.map((t) => t.length));
    const highWidth = Math.max(...highs.map((t) => t.length));
    const countWidth = String(most).length;
    const lines = [`${file}: frame ${index + 1}, ${result.units} values, ${bins} bins, ${result.total} values${result.excluded > 0 ? ` (${result.excluded} padding pixels left out)` : ''}`];
    result.counts.forEach((count, i) => {
      const close = i === bins - 1 ? ']' : ')';
      const bar = '#'.repeat(Math.round((count / most) * BAR));
      lines.push(`[${lows[i]!.padStart(lowWidth)}, ${highs[i]!.padStart(highWidth)}${close} ${String(count).padStart(countWidth)} ${bar}`);
    });
    context.io.stdout(`${lines.join('\n')}\n`);
    return ExitCodes.ok;
  } catch (error) {
    throw isDicomError(error) ? withFile(error, file) : error;
  }
}
