// End-to-end tests of stats, histogram, to-image, split-multiframe and compare: each spawns the built
// `node packages/cli/dist/bin.js`. Expected values come from numpy/pydicom, `file`, dcmdump, pngjs / jpeg-js (real
// decoders) or the input files, never from our own output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

const PACKAGE_DIR = resolve(__dirname, '..');
const BIN = join(PACKAGE_DIR, 'dist', 'bin.js');
const PYTHON = '/usr/bin/python3';
const FILE = '/usr/bin/file';
const DCMDUMP = '/usr/bin/dcmdump';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = (args: readonly string[], cwd = PACKAGE_DIR): Run => runCli(args, { cwd });

function peer(path: string, args: readonly string[]): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: install it (apt-get install -y file dcmtk python3-pydicom python3-numpy), as .ci/run does`);
  const result = spawnSync(path, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${path} failed: ${result.stderr}`);
  return result.stdout;
}

/** numpy's view of CT_small in HU: min, max, mean and a 7-bin histogram over [-1000, 1000]. */
const NUMPY_CT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut
ds = pydicom.dcmread(sys.argv[1])
hu = apply_modality_lut(ds.pixel_array, ds).astype(float)
counts, edges = np.histogram(hu, bins=7, range=(-1000, 1000))
print(json.dumps({'min': hu.min(), 'max': hu.max(), 'mean': hu.mean(), 'median': float(np.median(hu)), 'counts': counts.tolist()}))
`;
import { runCli } from './_run-cli.test-util.js';

let work: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build core, transcode and cli first (npx tsc -p packages/<pkg>/tsconfig.build.json)`);
  work = mkdtempSync(join(tmpdir(), 'dicom-tools-pixels-e2e-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copy(name: string, folder = work): string {
  const target = join(folder, name);
  copyFileSync(corpusFile(name), target);
  return target;
}

function readPng(path: string): PNG {
  return PNG.sync.read(readFileSync(path), { skipRescale: true });
}

describe('to-image', () => {
  it('writes a PNG beside the input (not into the current directory) that pngjs and file(1) read', () => {
    const folder = mkdtempSync(join(work, 'beside-'));
    const elsewhere = mkdtempSync(join(work, 'cwd-'));
    const input = copy('CT_small.dcm', folder);
    const run = cli(['to-image', input], elsewhere);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = join(folder, 'CT_small.png');
    expect(run.stdout).toBe(`wrote ${output}\n`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(peer(FILE, ['-b', output])).toMatch(/^PNG image data, 128 x 128, 8-bit grayscale/);
    const png = readPng(output);
    expect([png.width, png.height]).toEqual([128, 128]);
  });

  it('never overwrites without --force (exit 2), and overwrites with it', () => {
    const folder = mkdtempSync(join(work, 'force-'));
    const input = copy('MR_small.dcm', folder);
    expect(cli(['to-image', input]).status).toBe(0);
    const output = join(folder, 'MR_small.png');
    const before = statSync(output).mtimeMs;
    const refused = cli(['to-image', input]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(statSync(output).mtimeMs).toBe(before);
    expect(cli(['to_image', input, '--force', '--window-center', '600', '--window-width', '1600']).status).toBe(0);
  });

  it('writes 16-bit PNGs with --bit-depth 16 and JPEGs jpeg-js decodes with --format jpeg', () => {
    const input = copy('CT_small.dcm', mkdtempSync(join(work, 'depth-')));
    const png16 = join(work, 'ct16.png');
    const json = cli(['to-image', input, '-o', png16, '--bit-depth', '16', '--window', 'none', '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).images[0]).toMatchObject({ bitDepth: 16, voiSource: 'none', storedOffset: -32768 });
    expect(peer(FILE, ['-b', png16])).toMatch(/^PNG image data, 128 x 128, 16-bit grayscale/);
    const jpegPath = join(work, 'ct.jpg');
    expect(cli(['to-image', input, '-o', jpegPath, '--quality', '80']).status).toBe(0);
    expect(peer(FILE, ['-b', jpegPath])).toMatch(/^JPEG image data/);
    const jpeg = decodeJpeg(readFileSync(jpegPath), { useTArray: true });
    expect([jpeg.width, jpeg.height]).toEqual([128, 128]);
    expect(cli(['to-image', input, '-o', join(work, 'x.jpg'), '--bit-depth', '16']).status).toBe(2);
  });

  it('decodes compressed files through the wired codecs: RLE MR gives the same PNG as the native MR', () => {
    const folder = mkdtempSync(join(work, 'rle-'));
    const native = copy('MR_small.dcm', folder);
    const rle = copy('MR_small_RLE.dcm', folder);
    expect(cli(['to-image', native]).status).toBe(0);
    expect(cli(['to-image', rle]).status).toBe(0);
    expect(readPng(join(folder, 'MR_small_RLE.png')).data.equals(readPng(join(folder, 'MR_small.png')).data)).toBe(true);
  });

  it('writes one image per frame into the -o folder with --all-frames', () => {
    const input = copy('SC_rgb_rle_2frame.dcm', mkdtempSync(join(work, 'frames-')));
    const out = join(work, 'frames-out');
    const run = cli(['to-image', input, '--all-frames', '-o', out]);
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['SC_rgb_rle_2frame-frame-0001.png', 'SC_rgb_rle_2frame-frame-0002.png']);
    expect(peer(FILE, ['-b', join(out, 'SC_rgb_rle_2frame-frame-0002.png')])).toMatch(/^PNG image data, 100 x 100, 8-bit\/color RGB/);
  });
});

describe('stats and histogram', () => {
  it('print CT statistics in HU and honour --bins, as numpy computes them', () => {
    const expected = JSON.parse(peer(PYTHON, ['-c', NUMPY_CT, corpusFile('CT_small.dcm')])) as { min: number; max: number; mean: number; median: number; counts: number[] };
    const stats = cli(['stats', corpusFile('CT_small.dcm'), '--json']);
    expect(stats.status).toBe(0);
    const channel = JSON.parse(stats.stdout).channels[0];
    expect(JSON.parse(stats.stdout).units).toBe('modality');
    expect([channel.min, channel.max, channel.median]).toEqual([expected.min, expected.max, expected.median]);
    expect(channel.mean).toBeCloseTo(expected.mean, 9);
    const histogram = cli(['histogram', corpusFile('CT_small.dcm'), '--bins', '7', '--range', '-1000,1000', '--json']);
    expect(histogram.status).toBe(0);
    expect(JSON.parse(histogram.stdout).counts).toEqual(expected.counts);
    const text = cli(['histogram', corpusFile('CT_small.dcm'), '--bins', '7', '--range', '-1000,1000']);
    expect(text.stdout.trim().split('\n')).toHaveLength(8);
    expect(cli(['histogram', corpusFile('CT_small.dcm'), '--bins', 'many']).status).toBe(2);
    expect(cli(['stats', corpusFile('CT_small.dcm'), '--frame', '2']).status).toBe(2);
  });
});

describe('outputs and inputs', () => {
  it('never writes over the input, by its name or through a symbolic link, --force or not; --in-place through a link edits the file it points to', () => {
    const folder = mkdtempSync(join(work, 'inputs-'));
    const input = copy('MR_small.dcm', folder);
    const rle = copy('MR_small_RLE.dcm', folder);
    const link = join(folder, 'link.dcm');
    const rleLink = join(folder, 'rle-link.dcm');
    symlinkSync(input, link);
    symlinkSync(rle, rleLink);
    const before = [readFileSync(input), readFileSync(rle)];
    for (const args of [
      ['to-image', input, '-o', input, '--force'], ['to-image', link, '-o', input, '--force'],
      ['decompress', rleLink, '-o', rle, '--force'], ['transcode', link, '--syntax', 'rle', '-o', input, '--force'],
    ]) {
      const run = cli(args);
      expect([args.join(' '), run.status === 0, run.stderr]).toEqual([args.join(' '), false, `dicom-tools: ${args[1]}: the output would overwrite the input; choose another -o\n`]);
    }
    expect(readFileSync(input).equals(before[0]!)).toBe(true);
    expect(readFileSync(rle).equals(before[1]!)).toBe(true);
    const edit = cli(['modify-tag', link, '-t', 'PatientName', '--value', 'Edited^Name', '--in-place']);
    expect(edit.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(input).includes(Buffer.from('Edited^Name'))).toBe(true);
  });
});

describe('a frame that cannot be decoded after others were written', () => {
  it('leaves no image of the file behind: to-image --all-frames exits 1, batch convert reports the file failed (exit 3)', () => {
    const folder = mkdtempSync(join(work, 'bad-frame-'));
    const bytes = readFileSync(corpusFile('SC_rgb_rle_2frame.dcm'));
    bytes.fill(0, 2100, 2110); // inside the second frame's RLE segments: frame 1 decodes, frame 2 does not
    const input = join(folder, 'bad.dcm');
    writeFileSync(input, bytes);
    const images = join(folder, 'images');
    const run = cli(['to-image', input, '--all-frames', '-o', images]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/TRANSCODE_DECODE_FAILED/);
    expect(readdirSync(images)).toEqual([]);
    const batch = cli(['batch', 'convert', input, '-o', join(folder, 'converted')]);
    expect(batch.status).toBe(3);
    expect(existsSync(join(folder, 'converted')) ? readdirSync(join(folder, 'converted'), { recursive: true }) : []).toEqual([]);
  });
});

describe('an output folder that cannot be made', () => {
  it('is a CORE_IO error naming it (exit 1) for split-multiframe, to-image --all-frames and batch convert, not an internal error', () => {
    const input = copy('SC_rgb_rle_2frame.dcm', mkdtempSync(join(work, 'nofolder-')));
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, 'a file where a folder would go\n');
    const under = join(blocker, 'out');
    for (const args of [['split-multiframe', input, '-o', under], ['to-image', input, '--all-frames', '-o', under]]) {
      const run = cli(args);
      expect([args[0], run.status, run.stderr]).toEqual([args[0], 1, `dicom-tools: ${under}: cannot create the folder: not a directory [CORE_IO]\n`]);
    }
    const batch = cli(['batch', 'convert', input, '-o', under]);
    expect(batch.status).toBe(3);
    expect(batch.stderr).toContain(`: ${under}: cannot create the folder: not a directory [CORE_IO]`);
  });
});

describe('split-multiframe and compare', () => {
  it('splits a compressed two-frame file into two single-frame files that keep RLE, as dcmdump shows', () => {
    const input = copy('SC_rgb_rle_2frame.dcm', mkdtempSync(join(work, 'split-')));
    const out = join(work, 'split-out');
    const run = cli(['split-multiframe', input, '-o', out, '--json']);
    expect(run.status).toBe(0);
    const files = JSON.parse(run.stdout).files as { output: string; sopInstanceUID: string }[];
    expect(files).toHaveLength(2);
    expect(new Set(files.map((f) => f.sopInstanceUID)).size).toBe(2);
    for (const f of files) {
      const dump = peer(DCMDUMP, ['-Un', f.output]);
      expect(dump).toContain('(0002,0010) UI [1.2.840.10008.1.2.5]');
      expect(dump).toMatch(/\(0028,0008\) IS \[1\]/);
      expect(dump).toContain(`(0008,0018) UI [${f.sopInstanceUID}]`);
    }
    expect(cli(['split-multiframe', input, '-o', out]).status).toBe(2);
    // Frame 2 alone as an image equals frame 2 of the original.
    expect(cli(['to-image', files[1]!.output, '-o', join(work, 'split2.png')]).status).toBe(0);
    expect(cli(['to-image', input, '--frame', '2', '-o', join(work, 'orig2.png')]).status).toBe(0);
    expect(readPng(join(work, 'split2.png')).data.equals(readPng(join(work, 'orig2.png')).data)).toBe(true);
  });

  it('compares files: identical exits 0; the RLE copy of an image has the same pixels but another syntax (exit 1)', () => {
    const same = cli(['compare', corpusFile('CT_small.dcm'), corpusFile('CT_small.dcm')]);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain('identical');
    const rle = cli(['compare', corpusFile('MR_small.dcm'), corpusFile('MR_small_RLE.dcm'), '--json']);
    expect(rle.status).toBe(1);
    const result = JSON.parse(rle.stdout);
    expect(result.pixels).toMatchObject({ comparable: true, samples: 64 * 64, differing: 0, maxAbsDiff: 0 });
    const other = cli(['compare', corpusFile('MR_small.dcm'), corpusFile('CT_small.dcm'), '--json']);
    expect(other.status).toBe(1);
    expect(JSON.parse(other.stdout).pixels.comparable).toBe(false);
    expect(JSON.parse(other.stdout).tags.length).toBeGreaterThan(10);
  });
});
