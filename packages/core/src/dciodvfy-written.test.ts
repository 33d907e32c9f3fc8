// What we write must satisfy the peers: dcmdump reads it without warnings or errors, and dciodvfy (dicom3tools)
// finds no more errors in it than in the file it was read from. Every readable corpus file and every synthetic
// fixture, in every syntax it can be written in.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile, corpusFiles, CORPUS_REJECTS, FIXTURE_NAMES, fixtureBytes, fixtureFiles } from '@dicom-tools/test-fixtures';
import { isEncapsulated, readDicom, TransferSyntax, writeDicom, type DicomFile } from './index.js';

const DCMDUMP = '/usr/bin/dcmdump';
const DCIODVFY = '/usr/bin/dciodvfy';
const DCMCONV = '/usr/bin/dcmconv';

function run(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') }));
  });
}

/**
 * dciodvfy's error lines (it prints findings to stderr; errors start with "Error"). dciodvfy cannot read
 * Deflated Explicit VR Little Endian (it fails on the deflated bytes, ours and the corpus's alike): such a file is
 * checked after DCMTK's dcmconv has inflated it to Explicit VR Little Endian.
 */
async function dciodvfyErrors(path: string, syntax: string): Promise<string[]> {
  let checked = path;
  if (syntax === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    checked = `${path}.inflated.dcm`;
    const conversion = await run(DCMCONV, ['+te', path, checked]);
    if (!existsSync(checked)) throw new Error(`dcmconv could not inflate ${path}: ${conversion.stderr}`);
  }
  const { stdout, stderr } = await run(DCIODVFY, [checked]);
  return `${stderr}\n${stdout}`.split('\n').filter((line) => line.startsWith('Error'));
}

/** dcmdump's warning and error lines (`W:` / `E:` / `F:` on stderr). */
async function dcmdumpComplaints(path: string): Promise<string[]> {
  const { stderr } = await run(DCMDUMP, ['-M', path]);
  return stderr.split('\n').filter((line) => /^[WEF]: /.test(line));
}

const NATIVE = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian];

function syntaxesFor(file: DicomFile): string[] {
  const pixel = file.dataset.elements.get(0x7fe00010);
  return pixel !== undefined && isEncapsulated(pixel) ? [file.transferSyntaxUID] : NATIVE;
}

interface Input {
  readonly name: string;
  readonly file: DicomFile;
  /** The input as bytes on disk, to count the errors dciodvfy finds in it. */
  readonly bytes: Uint8Array;
}

const inputs: Input[] = [
  ...corpusFiles().filter((name) => CORPUS_REJECTS[name] === undefined).map((name) => {
    const bytes = readFileSync(corpusFile(name));
    return { name, file: readDicom(bytes, { fileName: name }), bytes };
  }),
  ...FIXTURE_NAMES.map((name) => {
    const file = fixtureFiles(name)[0]!;
    return { name: `fixture ${name}`, file, bytes: fixtureBytes(file) };
  }),
];

/**
 * dcmdump complaints that are about the content of the data, not its encoding, so that an input triggering them
 * makes its rewritten file trigger them too: elements in group 0001 (which PS3.5 7.1 forbids) and
 * undefined-length elements DCMTK has no dictionary VR for, which it reads as sequences with a warning (CP-246).
 */
const CONTENT_COMPLAINTS = [/Invalid Element \(0001,/, /Found element \(0001,\w+\) with VR UN and undefined length/];

/**
 * In implicit VR we write a sequence the dictionary does not know (a private one) with undefined length, so
 * that readers find its items (with a defined length DCMTK, like us, would only see bytes). DCMTK then notes that
 * it reads the undefined-length element of unknown VR as a sequence: the outcome sought, said as a warning.
 */
const PRIVATE_SEQUENCE_IN_IMPLICIT_VR = /^W: Found element \([0-9a-f]{3}[13579bdf],[0-9a-f]{4}\) with VR UN and undefined length, reading a sequence with transfer syntax LittleEndianImplicit \(CP-246\)$/;

describe('written files pass dcmdump and dciodvfy', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dicom-tools-peers-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has dcmdump and dcmconv (DCMTK) and dciodvfy (dicom3tools) installed; .ci/run installs them', () => {
    expect(existsSync(DCMDUMP)).toBe(true);
    expect(existsSync(DCMCONV)).toBe(true);
    expect(existsSync(DCIODVFY)).toBe(true);
  });

  it.each(inputs.map((input) => [input.name, input] as const))('%s, in every syntax it can be written in', async (_name, input) => {
    const source = join(dir, `${input.name.replace(/\W+/g, '_')}.in.dcm`);
    writeFileSync(source, input.bytes);
    const [inputErrors, inputComplaints] = await Promise.all([dciodvfyErrors(source, input.file.transferSyntaxUID), dcmdumpComplaints(source)]);
    const problems: string[] = [];
    await Promise.all(syntaxesFor(input.file).map(async (syntax) => {
      const path = join(dir, `${input.name.replace(/\W+/g, '_')}.${syntax}.dcm`);
      writeFileSync(path, writeDicom(input.file, { transferSyntaxUID: syntax }));
      const [errors, complaints] = await Promise.all([dciodvfyErrors(path, syntax), dcmdumpComplaints(path)]);
      for (const complaint of complaints) {
        const fromContent = CONTENT_COMPLAINTS.some((rule) => rule.test(complaint)) && inputComplaints.some((c) => CONTENT_COMPLAINTS.some((rule) => rule.test(c)));
        const privateSequence = syntax === TransferSyntax.ImplicitVRLittleEndian && PRIVATE_SEQUENCE_IN_IMPLICIT_VR.test(complaint);
        if (!fromContent && !privateSequence) problems.push(`${syntax}: dcmdump: ${complaint}`);
      }
      if (errors.length > inputErrors.length) {
        const added = errors.filter((line) => !inputErrors.includes(line));
        problems.push(`${syntax}: dciodvfy finds ${errors.length} errors, ${inputErrors.length} in the input: ${added.join(' | ')}`);
      }
    }));
    expect(problems).toEqual([]);
  });
});
