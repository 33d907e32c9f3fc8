import { calculateStatistics, decodeFrame, describePixels, isDicomError, withFile, type ChannelStatistics } from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { codecsFor } from '../_codecs.js';
import { frameIndexOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools stats`. */
export interface StatsOptions extends CommonOptions {
  /** Frame number, from 1 (default 1). */
  readonly frame?: string;
  /** `stored` or `modality` values (default: modality when the file rescales them). */
  readonly units?: 'stored' | 'modality';
  /** Count Pixel Padding too. */
  readonly includePadding?: boolean;
}

const CHANNELS: Readonly<Record<string, readonly string[]>> = { RGB: ['red', 'green', 'blue'], YBR_FULL: ['Y', 'Cb', 'Cr'] };

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function channelLines(stats: ChannelStatistics): string[] {
  const p = stats.percentiles;
  return [
    `  count     ${stats.total}`,
    `  min       ${format(stats.min)}`,
    `  max       ${format(stats.max)}`,
    `  range     ${format(stats.range)}`,
    `  mean      ${format(stats.mean)}`,
    `  median    ${format(stats.median)}`,
    `  std       ${format(stats.std)}`,
    `  variance  ${format(stats.variance)}`,
    `  p1 p5     ${format(p.p1)}  ${format(p.p5)}`,
    `  p25 p75   ${format(p.p25)}  ${format(p.p75)}  (iqr ${format(stats.iqr)})`,
    `  p95 p99   ${format(p.p95)}  ${format(p.p99)}`,
    `  unique    ${stats.unique}`,
    `  zeros     ${stats.zeroCount} (${format(stats.zeroPercent)}%)`,
  ];
}

/** `dicom-tools stats FILE [--frame N] [--units stored|modality] [--json]`: pixel statistics of one frame. */
export async function runStats(file: string, options: StatsOptions, context: CommandContext): Promise<number> {
  const index = frameIndexOption(options.frame) ?? 0;
  const dicom = await readInput(file, context);
  try {
    const description = describePixels(dicom.dataset);
    const count = describePixels(dicom.dataset).numberOfFrames;
    if (index >= count) throw new UsageError(`--frame ${index + 1} does not exist: the image has ${count} frame(s)`);
    const codecs = await codecsFor(dicom);
    const frame = await decodeFrame(dicom, index, { signal: context.signal, ...(codecs !== undefined ? { codecs } : {}) });
    const stats = calculateStatistics(frame, {
      dataset: dicom.dataset, ...(options.units !== undefined ? { units: options.units } : {}), excludePadding: options.includePadding !== true,
    });
    if (options.json === true) {
      printJson(context.io, { file, frame: index + 1, frames: description.numberOfFrames, rows: frame.rows, columns: frame.columns, photometricInterpretation: frame.photometricInterpretation, ...stats });
      return ExitCodes.ok;
    }
    const names = CHANNELS[frame.photometricInterpretation] ?? ['value'];
    const lines = [`${file}: frame ${index + 1} of ${description.numberOfFrames}, ${frame.columns}x${frame.rows}, ${frame.photometricInterpretation}, ${stats.units} values${stats.excluded > 0 ? `, ${stats.excluded} padding pixels left out` : ''}`];
    stats.channels.forEach((channel, i) => {
      if (stats.channels.length > 1) lines.push(`${names[i] ?? `channel ${i + 1}`}:`);
      lines.push(...channelLines(channel));
    });
    context.io.stdout(`${lines.join('\n')}\n`);
    return ExitCodes.ok;
  } catch (error) {
    throw isDicomError(error) ? withFile(error, file) : error;
  }
}
