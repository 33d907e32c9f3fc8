import { existsSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  decodeFrame, describePixels, encodeJpeg, encodePng, renderFrame, isDicomError, withFile, writeFileAtomic, type RenderedImage, type WindowChoice,
} from '@dicom-tools/core';
import type { CommandContext, CommonOptions } from '../context.js';
import { codecsFor } from '../_codecs.js';
import { frameIndexOption, numberOption } from '../_frame-option.js';
import { printJson } from '../_print-json.js';
import { ExitCodes } from '../exit-codes.js';
import { readInput } from '../_read-input.js';
import { UsageError } from '../_usage-error.js';
import { makeFolder, overwritesInput } from '../_paths.js';

/** Flags of `dicom-tools to-image`. */
export interface ToImageOptions extends CommonOptions {
  readonly output?: string;
  readonly format?: string;
  readonly frame?: string;
  readonly allFrames?: boolean;
  readonly windowCenter?: string;
  readonly windowWidth?: string;
  readonly window?: string;
  readonly bitDepth?: string;
  readonly quality?: string;
  readonly force?: boolean;
}

interface Plan {
  readonly format: 'png' | 'jpeg';
  readonly bitDepth: 8 | 16;
  readonly window: WindowChoice;
  readonly quality: number | undefined;
}

function planOf(options: ToImageOptions): Plan {
  const fromName = options.output !== undefined ? extname(options.output).toLowerCase() : '';
  const format = (options.format ?? (fromName === '.jpg' || fromName === '.jpeg' ? 'jpeg' : 'png')).toLowerCase();
  if (format !== 'png' && format !== 'jpeg' && format !== 'jpg') throw new UsageError(`--format is png or jpeg, not "${options.format}"`);
  const bitDepth = numberOption(options.bitDepth, '--bit-depth', (n) => n === 8 || n === 16) ?? 8;
  const jpeg = format !== 'png';
  if (jpeg && bitDepth === 16) throw new UsageError('JPEG holds 8 bits per sample: use --format png for --bit-depth 16');
  const quality = numberOption(options.quality, '--quality', (n) => Number.isInteger(n) && n >= 1 && n <= 100);
  if (quality !== undefined && !jpeg) throw new UsageError('--quality applies to --format jpeg only');
  const center = numberOption(options.windowCenter, '--window-center');
  const width = numberOption(options.windowWidth, '--window-width', (n) => Number.isFinite(n) && n > 0);
  if ((center === undefined) !== (width === undefined)) throw new UsageError('give --window-center and --window-width together');
  if (center !== undefined && options.window !== undefined) throw new UsageError('give either --window or --window-center/--window-width, not both');
  const named = options.window ?? 'file';
  if (!['file', 'auto', 'minmax', 'none'].includes(named)) throw new UsageError(`--window is auto, file, minmax or none, not "${named}"`);
  const window: WindowChoice = center !== undefined ? { center, width: width! } : (named as 'file' | 'auto' | 'minmax' | 'none');
  return { format: jpeg ? 'jpeg' : 'png', bitDepth: bitDepth as 8 | 16, window, quality };
}

function stem(file: string): string {
  const name = basename(file);
  return /\.dcm$/i.test(name) ? name.slice(0, -4) : name;
}

/** Where each frame goes: `-o` (a file, or a folder for several frames), else beside the input. */
function targetsOf(file: string, frames: readonly number[], output: string | undefined, extension: string): string[] {
  const name = (index: number): string => (frames.length > 1 ? `${stem(file)}-frame-${String(index + 1).padStart(4, '0')}.${extension}` : `${stem(file)}.${extension}`);
  if (output === undefined) return frames.map((i) => join(dirname(file), name(i)));
  const isFolder = output.endsWith('/') || frames.length > 1 || (existsSync(output) && statSync(output).isDirectory());
  return isFolder ? frames.map((i) => join(output, name(i))) : [output];
}

function textChunks(image: RenderedImage): Record<string, string> {
  const text: Record<string, string> = { Software: 'dicom-tools' };
  if (image.voi?.kind === 'window') text['dicom-tools:Window'] = `${image.voi.center}/${image.voi.width} ${image.voi.function} (${image.voiSource})`;
  if (image.storedOffset !== undefined) {
    text['dicom-tools:StoredOffset'] = String(image.storedOffset);
    if (image.modality?.kind === 'rescale') {
      text['dicom-tools:RescaleSlope'] = String(image.modality.slope);
      text['dicom-tools:RescaleIntercept'] = String(image.modality.intercept);
    }
  }
  return text;
}

/**
 * `dicom-tools to-image FILE [-o OUT] [--format png|jpeg] [--frame N | --all-frames] [--window ...] [--bit-depth 8|16]`:
 * renders frames (Modality LUT, VOI, MONOCHROME1 inversion; colour to RGB) to PNG or JPEG, beside the input unless
 * `-o` says where, never over an existing file without `--force`.
 */
export async function runToImage(file: string, options: ToImageOptions, context: CommandContext): Promise<number> {
  const plan = planOf(options);
  if (options.allFrames === true && options.frame !== undefined) throw new UsageError('give either --frame or --all-frames, not both');
  const dicom = await readInput(file, context);
  let count: number;
  try {
    count = describePixels(dicom.dataset).numberOfFrames;
  } catch (error) {
    throw isDicomError(error) ? withFile(error, file) : error;
  }
  const frames = options.allFrames === true ? Array.from({ length: count }, (_, i) => i) : [frameIndexOption(options.frame) ?? 0];
  if (frames[0]! >= count) throw new UsageError(`${file}: --frame ${frames[0]! + 1} does not exist: the image has ${count} frame(s)`);
  const targets = targetsOf(file, frames, options.output, plan.format === 'png' ? 'png' : 'jpg');
  for (const target of targets) if (await overwritesInput(target, file)) throw new UsageError(`${file}: the output would overwrite the input; choose another -o`);
  if (options.force !== true) {
    const existing = targets.find((t) => existsSync(t));
    if (existing !== undefined) throw new UsageError(`${existing} exists: give --force to overwrite it`);
  }
  if (options.output !== undefined && targets.length > 1) await makeFolder(options.output);
  const codecs = await codecsFor(dicom);
  const written: object[] = [];
  // A frame that fails fails the command: the frames it already wrote are removed (no partial output).
  const paths: string[] = [];
  try {
    for (let k = 0; k < frames.length; k++) {
      context.signal.throwIfAborted();
      const index = frames[k]!;
      let bytes: Uint8Array;
      let image: RenderedImage;
      try {
        const frame = await decodeFrame(dicom, index, { signal: context.signal, ...(codecs !== undefined ? { codecs } : {}) });
        image = renderFrame(frame, dicom.dataset, { window: plan.window, bitDepth: plan.bitDepth });
        bytes = plan.format === 'png' ? await encodePng(image, { text: textChunks(image) }) : await encodeJpeg(image, plan.quality !== undefined ? { quality: plan.quality } : {});
      } catch (error) {
        throw isDicomError(error) ? withFile(error, file) : error;
      }
      await writeFileAtomic(targets[k]!, bytes);
      paths.push(targets[k]!);
      const voi = image.voi?.kind === 'window' ? { center: image.voi.center, width: image.voi.width, function: image.voi.function } : image.voi !== undefined ? { lut: true } : null;
      written.push({ frame: index + 1, output: targets[k]!, width: image.width, height: image.height, channels: image.channels, bitDepth: image.bitDepth, voiSource: image.voiSource, voi, inverted: image.inverted, ...(image.storedOffset !== undefined ? { storedOffset: image.storedOffset } : {}) });
      if (options.json !== true && options.quiet !== true) context.io.stdout(`wrote ${targets[k]!}\n`);
    }
  } catch (error) {
    await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
    throw error;
  }
  if (options.json === true) printJson(context.io, { file, format: plan.format, images: written });
  return ExitCodes.ok;
}
