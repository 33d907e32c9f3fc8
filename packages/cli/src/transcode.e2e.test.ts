// End-to-end tests of `dicom-tools transcode` and `decompress` on the built binary (node packages/cli/dist/bin.js).
// Expected pixels and syntaxes come from the input bytes and from DCMTK (dcmdump, dcmdjpls, dcmdrle), never from
// our own output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { runCli } from './_run-cli.test-util.js';


interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = (args: readonly string[], cwd: string): Run => runCli(args, { cwd });

function peer(tool: string, args: readonly string[]): string {
  const path = `/usr/bin/${tool}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y dcmtk, as .ci/run does`);
  const result = spawnSync(path, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** A dcmdump line's value for a tag, e.g. `[1.2.840.10008.1.2.4.80]` for (0002,0010) (-Un: UIDs as numbers). */
function dumpValue(file: string, tag: string): string | undefined {
  const line = peer('dcmdump', ['-Un', file]).split('\n').find((l) => l.trimStart().startsWith(`(${tag})`));
  return line?.replace(/^\s*\([0-9a-f,]+\)\s+\S\S\s+/, '').replace(/\s+#.*$/, '');
}

/** The native pixel bytes of a file as DCMTK reads them: `dcmdump +W` writes Pixel Data to a .raw file (little endian). */
function pixelBytes(file: string, scratch: string): Buffer {
  const raw = join(scratch, `pixels-${Math.random().toString(36).slice(2)}`);
  mkdirSync(raw);
  peer('dcmdump', ['+W', raw, file]);
  const names = readdirSync(raw).filter((name) => name.endsWith('.raw'));
  if (names.length !== 1) throw new Error(`dcmdump +W wrote ${names.length} raw files`);
  return readFileSync(join(raw, names[0]!));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'transcode-e2e-'));
  copyFileSync(corpusFile('CT_small.dcm'), join(dir, 'CT_small.dcm'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dicom-tools transcode: inputs and outputs it refuses', () => {
  it('a missing input is CORE_IO (exit 1); an output folder inside the input folder is a usage error (exit 2)', () => {
    const missing = cli(['transcode', 'no-such.dcm', '--syntax', 'rle'], dir);
    expect([missing.status, missing.stderr]).toEqual([1, 'dicom-tools: no-such.dcm: cannot read: no such file or folder [CORE_IO]\n']);
    mkdirSync(join(dir, 'tree'), { recursive: true });
    copyFileSync(corpusFile('MR_small.dcm'), join(dir, 'tree', 'mr.dcm'));
    const inside = cli(['transcode', 'tree', '--syntax', 'rle', '-o', join('tree', 'out')], dir);
    expect([inside.status, inside.stderr]).toEqual([2, `dicom-tools: ${join('tree', 'out')}: the output folder must not be the input folder or inside it\n`]);
  });

  it('transcodes a file whose SOP Instance UID has a VR the reader does not know (read as UN): it wrote the output and then failed reading that UID', () => {
    const bytes = readFileSync(corpusFile('MR_small.dcm'));
    const at = bytes.indexOf(Buffer.from([0x08, 0x00, 0x18, 0x00, 0x55, 0x49])); // (0008,0018) UI
    expect(at).toBeGreaterThan(132);
    bytes[at + 5] = 0x51; // "UQ": no VR, read as UN (16-bit length)
    writeFileSync(join(dir, 'uq.dcm'), bytes);
    const run = cli(['transcode', 'uq.dcm', '--syntax', 'explicit', '-o', 'uq-out.dcm'], dir);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(existsSync(join(dir, 'uq-out.dcm'))).toBe(true);
  });
});

describe('dicom-tools transcode', () => {
  it('writes <stem>_jpegls.dcm beside the input, which DCMTK sees as JPEG-LS and dcmdjpls decodes to the input pixels', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'jpegls'], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('CT_small.dcm -> CT_small_jpegls.dcm');
    const out = join(dir, 'CT_small_jpegls.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.4.80]');
    peer('dcmdjpls', [out, join(dir, 'back.dcm')]);
    expect(pixelBytes(join(dir, 'back.dcm'), dir).equals(pixelBytes(join(dir, 'CT_small.dcm'), dir))).toBe(true);
  });

  it('writes JPEG lossless (.70) that dcmdjpeg decodes to the input pixels', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'jpeg-lossless'], dir);
    expect(run.status).toBe(0);
    const out = join(dir, 'CT_small_jpeg-lossless.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.4.70]');
    peer('dcmdjpeg', [out, join(dir, 'back.dcm')]);
    expect(pixelBytes(join(dir, 'back.dcm'), dir).equals(pixelBytes(join(dir, 'CT_small.dcm'), dir))).toBe(true);
  });

  it('writes HTJ2K lossless (.201) and decompresses it back to the pixels DCMTK reads from the input', () => {
    expect(cli(['transcode', 'CT_small.dcm', '--syntax', 'htj2k-lossless'], dir).status).toBe(0);
    const out = join(dir, 'CT_small_htj2k-lossless.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.4.201]');
    expect(cli(['decompress', out], dir).status).toBe(0);
    expect(pixelBytes(join(dir, 'CT_small_htj2k-lossless_explicit.dcm'), dir).equals(pixelBytes(join(dir, 'CT_small.dcm'), dir))).toBe(true);
  });

  it('writes HTJ2K lossless RPCL (.202) with --syntax htj2k-rpcl and decompresses it back to the pixels DCMTK reads from the input', () => {
    expect(cli(['transcode', 'CT_small.dcm', '--syntax', 'htj2k-rpcl'], dir).status).toBe(0);
    const out = join(dir, 'CT_small_htj2k-lossless-rpcl.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.4.202]');
    expect(cli(['decompress', out], dir).status).toBe(0);
    expect(pixelBytes(join(dir, 'CT_small_htj2k-lossless-rpcl_explicit.dcm'), dir).equals(pixelBytes(join(dir, 'CT_small.dcm'), dir))).toBe(true);
  });

  it('writes lossy HTJ2K (.203) with --syntax htj2k-lossy --quality 80: lossy attributes as dcmdump reads them, pixels within the quantization bound', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'htj2k-lossy', '--quality', '80', '--json'], dir);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { files: { lossy: boolean; output: string }[] };
    expect(json.files[0]!.lossy).toBe(true);
    const out = join(dir, 'CT_small_htj2k.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.4.203]');
    expect(dumpValue(out, '0028,2110')).toBe('[01]');
    expect(dumpValue(out, '0028,2114')).toBe('[ISO_15444_15]');
    expect(dumpValue(out, '0008,0018')).not.toBe(dumpValue(join(dir, 'CT_small.dcm'), '0008,0018'));
    expect(cli(['decompress', out], dir).status).toBe(0);
    // Quality 80 quantizes with a step of 2^((100 - 80) / 10) = 4 least significant bits: RMS error <= 4 + 1/2
    // (see htj2kPsnrBound in packages/transcode). CT_small holds signed 16-bit samples, as dcmdump says.
    expect(dumpValue(join(dir, 'CT_small.dcm'), '0028,0100')).toBe('16');
    expect(dumpValue(join(dir, 'CT_small.dcm'), '0028,0103')).toBe('1');
    const back = pixelBytes(join(dir, 'CT_small_htj2k_explicit.dcm'), dir);
    const input = pixelBytes(join(dir, 'CT_small.dcm'), dir);
    expect(back.length).toBe(input.length);
    let sum = 0;
    for (let at = 0; at < input.length; at += 2) sum += (back.readInt16LE(at) - input.readInt16LE(at)) ** 2;
    expect(Math.sqrt(sum / (input.length / 2))).toBeLessThanOrEqual(4.5);
    expect(back.equals(input)).toBe(false);
  });

  it('refuses --ratio for HTJ2K lossy (OpenJPH has no rate control) and writes nothing', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'htj2k', '--ratio', '10'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('rate control');
    expect(existsSync(join(dir, 'CT_small_htj2k.dcm'))).toBe(false);
  });

  it('accepts the seed names (jpeg2000-lossless) and never names an output x.dcm.dcm', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'jpeg2000-lossless'], dir);
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, 'CT_small_j2k.dcm'))).toBe(true);
    expect(dumpValue(join(dir, 'CT_small_j2k.dcm'), '0002,0010')).toBe('[1.2.840.10008.1.2.4.90]');
  });

  it('refuses to overwrite an existing output without --force (exit 1), and overwrites with it', () => {
    expect(cli(['transcode', 'CT_small.dcm', '--syntax', 'rle'], dir).status).toBe(0);
    const before = statSync(join(dir, 'CT_small_rle.dcm')).mtimeMs;
    const again = cli(['transcode', 'CT_small.dcm', '--syntax', 'rle'], dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--force');
    expect(statSync(join(dir, 'CT_small_rle.dcm')).mtimeMs).toBe(before);
    expect(cli(['transcode', 'CT_small.dcm', '--syntax', 'rle', '--force'], dir).status).toBe(0);
    peer('dcmdrle', [join(dir, 'CT_small_rle.dcm'), join(dir, 'back.dcm')]);
    expect(pixelBytes(join(dir, 'back.dcm'), dir).equals(pixelBytes(join(dir, 'CT_small.dcm'), dir))).toBe(true);
  });

  it('writes a lossy JPEG-LS copy with -o, --near and --json: a new SOP Instance UID and (0028,2110) 01 as dcmdump reads them', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'jpegls-near', '--near', '3', '-o', 'near.dcm', '--json'], dir);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: number; files: { lossy: boolean; sopInstanceUID: string }[] };
    expect(json.ok).toBe(1);
    expect(json.files[0]!.lossy).toBe(true);
    const out = join(dir, 'near.dcm');
    expect(dumpValue(out, '0028,2110')).toBe('[01]');
    expect(dumpValue(out, '0028,2114')).toBe('[ISO_14495_1]');
    expect(dumpValue(out, '0008,0018')).toBe(`[${json.files[0]!.sopInstanceUID}]`);
    expect(dumpValue(out, '0008,0018')).not.toBe(dumpValue(join(dir, 'CT_small.dcm'), '0008,0018'));
  });

  it('transcodes every DICOM file of a folder into -o, keeping sub-folders, and skips other files', () => {
    mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
    copyFileSync(corpusFile('MR_small.dcm'), join(dir, 'in', 'MR_small.dcm'));
    copyFileSync(corpusFile('SC_rgb_small_odd.dcm'), join(dir, 'in', 'sub', 'rgb.dcm'));
    copyFileSync(corpusFile('README.md'), join(dir, 'in', 'notes.md'));
    const run = cli(['transcode', 'in', '--syntax', 'rle', '-o', 'out'], dir);
    expect(run.status).toBe(0);
    expect(dumpValue(join(dir, 'out', 'MR_small_rle.dcm'), '0002,0010')).toBe('[1.2.840.10008.1.2.5]');
    expect(dumpValue(join(dir, 'out', 'sub', 'rgb_rle.dcm'), '0002,0010')).toBe('[1.2.840.10008.1.2.5]');
  });

  it('transcodes a folder of many files (on worker threads when there are several cores): every output lossless by gdcmconv --raw, lines in input order', () => {
    mkdirSync(join(dir, 'in'));
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const name of names) copyFileSync(corpusFile(name < 'd' ? 'CT_small.dcm' : 'MR_small.dcm'), join(dir, 'in', `${name}.dcm`));
    const run = cli(['transcode', 'in', '--syntax', 'j2k', '-o', 'out'], dir);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').map((line) => line.split(' -> ')[0])).toEqual(names.map((name) => join('in', `${name}.dcm`)));
    for (const name of names) {
      const output = join(dir, 'out', `${name}_j2k.dcm`);
      expect(dumpValue(output, '0002,0010')).toBe('[1.2.840.10008.1.2.4.90]');
      const decoded = join(dir, `${name}_raw.dcm`);
      peer('gdcmconv', ['--raw', output, decoded]);
      expect(pixelBytes(decoded, dir).equals(pixelBytes(join(dir, 'in', `${name}.dcm`), dir))).toBe(true);
    }
  });

  it('finishes a folder with a failed file with exit 3 and reports the failure on stderr', () => {
    mkdirSync(join(dir, 'in'));
    copyFileSync(corpusFile('SC_rgb_small_odd.dcm'), join(dir, 'in', 'a.dcm'));
    copyFileSync(corpusFile('JPGExtended.dcm'), join(dir, 'in', 'b.dcm')); // 12-bit: JPEG baseline holds 8
    const run = cli(['transcode', 'in', '--syntax', 'jpeg'], dir);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('TRANSCODE_UNSUPPORTED');
    expect(existsSync(join(dir, 'in', 'a_jpeg.dcm'))).toBe(true);
    expect(existsSync(join(dir, 'in', 'b_jpeg.dcm'))).toBe(false);
  });

  it('answers an unknown syntax with a usage error (exit 2) listing the aliases', () => {
    const run = cli(['transcode', 'CT_small.dcm', '--syntax', 'jpeg3000'], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('jpegls-near');
  });
});

describe('dicom-tools decompress', () => {
  it('writes <stem>_explicit.dcm with the pixels dcmdrle gives for the same RLE file', () => {
    copyFileSync(corpusFile('SC_rgb_rle_2frame.dcm'), join(dir, 'rle.dcm'));
    const run = cli(['decompress', 'rle.dcm'], dir);
    expect(run.status).toBe(0);
    const out = join(dir, 'rle_explicit.dcm');
    expect(dumpValue(out, '0002,0010')).toBe('[1.2.840.10008.1.2.1]');
    peer('dcmdrle', [join(dir, 'rle.dcm'), join(dir, 'dcmtk.dcm')]);
    expect(pixelBytes(out, dir).equals(pixelBytes(join(dir, 'dcmtk.dcm'), dir))).toBe(true);
  });
});
