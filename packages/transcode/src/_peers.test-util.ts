// Test support (excluded from the build): running the peer tools (DCMTK, GDCM, pydicom) on files in a temp folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Throws (failing the test) when a peer tool is missing: peers are required, never skipped. */
export function requirePeer(command: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`peer tool ${command} is not installed (apt-get install dcmtk libgdcm-tools python3-pydicom python3-gdcm)`);
}

/** Runs a peer; throws with its stderr when it fails. */
export function runPeer(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`);
  return result.stdout;
}

/** A temp folder for one test file, removed by `cleanup()`. */
export function tempFolder(prefix: string): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const PYDICOM_PIXELS = `
import sys, json
import pydicom
from pydicom import config
import pydicom.pixel_data_handlers.gdcm_handler as g
import pydicom.pixel_data_handlers.numpy_handler as n
import pydicom.pixel_data_handlers.rle_handler as r
config.pixel_data_handlers = [n, g, r]
ds = pydicom.dcmread(sys.argv[1])
arr = ds.pixel_array
pi = str(ds.PhotometricInterpretation)
if pi in ('YBR_FULL', 'YBR_FULL_422') and ds.file_meta.TransferSyntaxUID in ('1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51'):
    # GDCM hands JPEG colour back as YCbCr; pydicom's own conversion gives the RGB a JPEG decoder outputs.
    from pydicom.pixel_data_handlers.util import convert_color_space
    arr = convert_color_space(arr, pi, 'RGB')
open(sys.argv[2], 'wb').write(arr.astype(arr.dtype.newbyteorder('<')).tobytes())
print(json.dumps({'dtype': str(arr.dtype), 'shape': list(arr.shape)}))
`;

/**
 * The pixels pydicom (with GDCM for JPEG / JPEG 2000 / JPEG-LS, its own RLE handler) decodes from a file: little
 * endian, colour-by-pixel; JPEG colour converted to RGB by pydicom's convert_color_space.
 */
export function pydicomPixels(file: string): { bytes: Uint8Array; dtype: string; shape: number[] } {
  requirePeer(PYTHON);
  const { dir, path, cleanup } = tempFolder('pydicom');
  try {
    const script = path('pixels.py');
    writeFileSync(script, PYDICOM_PIXELS);
    const out = path('pixels.raw');
    const info = JSON.parse(runPeer(PYTHON, [script, file, out])) as { dtype: string; shape: number[] };
    return { bytes: new Uint8Array(readFileSync(out)), ...info };
  } finally {
    if (existsSync(dir)) cleanup();
  }
}
