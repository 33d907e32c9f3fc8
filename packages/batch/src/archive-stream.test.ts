// expandInputs streams .tar and .tar.gz archives (our tar reader) and reads .zip archives member by member (yauzl):
// checked on archives written by real peers, Python's tarfile in its three formats (PAX, GNU, USTAR), GNU tar(1) and
// Python's zipfile, member bytes against the files put in.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { expandInputs, type BatchInput, type SkippedInput } from './index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'batch-tar-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expand(path: string): Promise<{ found: BatchInput[]; skipped: SkippedInput[] }> {
  const skipped: SkippedInput[] = [];
  const found: BatchInput[] = [];
  for await (const input of expandInputs([path], { onSkipped: (s) => skipped.push(s) })) found.push(input);
  return { found, skipped };
}

function python(script: string, ...args: string[]): void {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) throw new Error(`${py} is missing`);
  const run = spawnSync(py, ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
}

// A 120-character folder name needs a long-name record (PAX path or GNU ././@LongLink) or the USTAR prefix.
const LONG = `${'d'.repeat(60)}/${'e'.repeat(59)}`;
const MEMBERS: Record<string, string> = { 'ct.dcm': 'CT_small.dcm', [`${LONG}/mr.dcm`]: 'MR_small.dcm', 'rle/x.dcm': 'MR_small_RLE.dcm' };

describe('streamed tar archives', () => {
  it.each([['PAX_FORMAT', 'w:gz', 'tar.gz'], ['GNU_FORMAT', 'w:gz', 'tgz'], ['USTAR_FORMAT', 'w', 'tar']])(
    'reads every member of a Python tarfile %s archive (%s) with its bytes and name',
    async (format, mode, extension) => {
      const archive = join(dir, `${format}.${extension}`);
      const script = [
        'import sys, tarfile, json',
        'members = json.loads(sys.argv[3])',
        `with tarfile.open(sys.argv[1], "${mode}", format=tarfile.${format}) as t:`,
        '    for name, source in members.items(): t.add(sys.argv[2] + "/" + source, name)',
        '    t.addfile(tarfile.TarInfo("notes/"), None)', // a folder entry: not a member
      ].join('\n');
      python(script, archive, join(corpusFile('CT_small.dcm'), '..'), JSON.stringify(MEMBERS));
      const { found, skipped } = await expand(archive);
      expect(skipped).toEqual([]);
      expect(found.map((f) => f.relativePath)).toEqual(Object.keys(MEMBERS).map((n) => `${extension === 'tar' ? 'USTAR_FORMAT.tar' : `${format}.${extension}`}/${n}`));
      for (const f of found) {
        const source = MEMBERS[f.relativePath.slice(f.relativePath.indexOf('/') + 1)]!;
        expect(Buffer.from(f.bytes!).equals(readFileSync(corpusFile(source)))).toBe(true);
      }
    },
  );

  it('reads a GNU tar(1) .tar.gz, skips its non-DICOM member, and reports a truncated archive after the members before the cut', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'a'), { recursive: true });
    writeFileSync(join(src, 'a', 'ct.dcm'), readFileSync(corpusFile('CT_small.dcm')));
    writeFileSync(join(src, 'a', 'readme.txt'), 'not DICOM\n'.repeat(100));
    writeFileSync(join(src, 'b.dcm'), readFileSync(corpusFile('MR_small.dcm')));
    const archive = join(dir, 'gnu.tar.gz');
    const tar = spawnSync('tar', ['-czf', archive, '-C', src, 'a/ct.dcm', 'a/readme.txt', 'b.dcm']);
    if (tar.status !== 0) throw new Error(`tar failed: ${String(tar.stderr)}`);
    const { found, skipped } = await expand(archive);
    expect(found.map((f) => f.relativePath)).toEqual(['gnu.tar.gz/a/ct.dcm', 'gnu.tar.gz/b.dcm']);
    expect(skipped).toEqual([{ path: join(archive, 'a', 'readme.txt'), reason: 'not DICOM' }]);

    // Cut the uncompressed tar inside its last member: the members before the cut, then the archive as unreadable.
    const plain = join(dir, 'cut.tar');
    spawnSync('tar', ['-cf', plain, '-C', src, 'a/ct.dcm', 'b.dcm']);
    const ctBlocks = Math.ceil(statSync(corpusFile('CT_small.dcm')).size / 512) * 512;
    truncateSync(plain, 512 + ctBlocks + 512 + 1000); // header, ct.dcm, header, 1,000 bytes of b.dcm
    const cut = await expand(plain);
    expect(cut.found.map((f) => f.relativePath)).toEqual(['cut.tar/a/ct.dcm']);
    expect(cut.skipped).toEqual([{ path: plain, reason: expect.stringMatching(/^unreadable archive: tar stream ends inside a member/) }]);
  });

  it('reports a damaged header (bad checksum) as an unreadable archive', async () => {
    const archive = join(dir, 'bad.tar');
    spawnSync('tar', ['-cf', archive, '-C', join(corpusFile('CT_small.dcm'), '..'), 'CT_small.dcm']);
    const bytes = readFileSync(archive);
    bytes[0] = bytes[0]! ^ 0xff; // the name's first byte: the checksum no longer matches
    writeFileSync(archive, bytes);
    expect((await expand(archive)).skipped).toEqual([{ path: archive, reason: 'unreadable archive: bad tar header: checksum mismatch' }]);
  });
});

describe('zip archives, read member by member', () => {
  it('reads stored, deflated and zip64 members of a Python zipfile archive, by name, with unsafe name parts dropped', async () => {
    const archive = join(dir, 'py.zip');
    const script = [
      'import sys, zipfile',
      'src = sys.argv[2]',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    z.write(src + "/MR_small.dcm", "s1/mr.dcm", zipfile.ZIP_STORED)',
      '    z.write(src + "/CT_small.dcm", "s1/ct.dcm", zipfile.ZIP_DEFLATED)',
      '    z.writestr(zipfile.ZipInfo("s2/"), b"")', // a folder entry: not a member
      '    z.writestr("../../evil/x.dcm", open(src + "/MR_small_RLE.dcm", "rb").read(), zipfile.ZIP_DEFLATED)',
      '    z.writestr("/abs/\u00fc.dcm", open(src + "/CT_small.dcm", "rb").read(), zipfile.ZIP_DEFLATED)', // UTF-8 name
      '    with z.open("big/ct64.dcm", "w", force_zip64=True) as f: f.write(open(src + "/CT_small.dcm", "rb").read())',
    ].join('\n');
    python(script, archive, join(corpusFile('CT_small.dcm'), '..'));
    const { found, skipped } = await expand(archive);
    expect(skipped).toEqual([]);
    expect(found.map((f) => f.relativePath)).toEqual(['py.zip/abs/\u00fc.dcm', 'py.zip/big/ct64.dcm', 'py.zip/evil/x.dcm', 'py.zip/s1/ct.dcm', 'py.zip/s1/mr.dcm']);
    const source: Record<string, string> = { 'abs/\u00fc.dcm': 'CT_small.dcm', 'big/ct64.dcm': 'CT_small.dcm', 'evil/x.dcm': 'MR_small_RLE.dcm', 's1/ct.dcm': 'CT_small.dcm', 's1/mr.dcm': 'MR_small.dcm' };
    for (const f of found) expect(Buffer.from(f.bytes!).equals(readFileSync(corpusFile(source[f.relativePath.slice('py.zip/'.length)]!)))).toBe(true);
  });

  /**
   * A Python zipfile archive of copies of CT_small.dcm named `names` (stored or deflated), with `damage` applied to
   * the bytes of its last member's data as they lie in the archive.
   */
  function damagedZip(name: string, method: 'ZIP_STORED' | 'ZIP_DEFLATED', names: readonly string[], damage: (data: Buffer) => void): string {
    const archive = join(dir, name);
    python([
      'import sys, json, zipfile',
      `with zipfile.ZipFile(sys.argv[1], "w", zipfile.${method}) as z:`,
      '    for name in json.loads(sys.argv[3]): z.write(sys.argv[2] + "/CT_small.dcm", name)',
    ].join('\n'), archive, join(corpusFile('CT_small.dcm'), '..'), JSON.stringify(names));
    const bytes = readFileSync(archive);
    const header = bytes.lastIndexOf(Buffer.from('PK\x03\x04', 'latin1'));
    damage(bytes.subarray(header + 30 + bytes.readUInt16LE(header + 26) + bytes.readUInt16LE(header + 28)));
    writeFileSync(archive, bytes);
    return archive;
  }

  it('gives the members before a damaged one, then reports the archive as unreadable (members are read one at a time)', async () => {
    // The deflate stream of z.dcm (the last one) starts with a reserved block type.
    const archive = damagedZip('damaged.zip', 'ZIP_DEFLATED', ['a.dcm', 'b.dcm', 'z.dcm'], (data) => void (data[0] = 0xff));
    const { found, skipped } = await expand(archive);
    expect(found.map((f) => f.relativePath)).toEqual(['damaged.zip/a.dcm', 'damaged.zip/b.dcm']);
    expect(skipped).toEqual([{ path: archive, reason: expect.stringMatching(/^unreadable archive: /) }]);
  });

  it('checks each member against its CRC-32 and size: a flipped byte in a stored member makes the archive unreadable there', async () => {
    // One bit of b.dcm's Pixel Data: the member would still read as valid DICOM.
    const archive = damagedZip('crc.zip', 'ZIP_STORED', ['a.dcm', 'b.dcm'], (data) => void (data[1000] = data[1000]! ^ 0x01));
    const { found, skipped } = await expand(archive);
    expect(found.map((f) => f.relativePath)).toEqual(['crc.zip/a.dcm']);
    expect(skipped).toEqual([{ path: archive, reason: 'unreadable archive: b.dcm: CRC-32 mismatch' }]);
  });

  it('skips an encrypted member and one compressed other than by deflate, with a reason, and goes on with the rest', async () => {
    const archive = join(dir, 'mixed.zip');
    python([
      'import sys, zipfile',
      'src = sys.argv[2] + "/CT_small.dcm"',
      'with zipfile.ZipFile(sys.argv[1], "w") as z:',
      '    z.write(src, "a.dcm", zipfile.ZIP_DEFLATED)',
      '    z.write(src, "b.dcm", zipfile.ZIP_DEFLATED)',
      '    z.write(src, "c.dcm", zipfile.ZIP_BZIP2)',
      '    z.write(src, "d.dcm", zipfile.ZIP_STORED)',
    ].join('\n'), archive, join(corpusFile('CT_small.dcm'), '..'));
    // Mark b.dcm encrypted (general purpose bit 0) in its central and local headers, as an encrypting zip would.
    const bytes = readFileSync(archive);
    for (let at = bytes.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = bytes.indexOf('PK\x01\x02', at + 4, 'latin1')) {
      if (bytes.toString('latin1', at + 46, at + 46 + bytes.readUInt16LE(at + 28)) !== 'b.dcm') continue;
      bytes[at + 8] = bytes[at + 8]! | 1;
      const local = bytes.readUInt32LE(at + 42);
      bytes[local + 6] = bytes[local + 6]! | 1;
    }
    writeFileSync(archive, bytes);
    const { found, skipped } = await expand(archive);
    expect(found.map((f) => f.relativePath)).toEqual(['mixed.zip/a.dcm', 'mixed.zip/d.dcm']);
    expect(skipped).toEqual([
      { path: join(archive, 'b.dcm'), reason: 'unreadable: encrypted zip member' },
      { path: join(archive, 'c.dcm'), reason: 'unreadable: zip compression method 12 (stored and deflated members are read)' },
    ]);
  });

  it('reports a file that is not a zip at all as an unreadable archive', async () => {
    const archive = join(dir, 'fake.zip');
    writeFileSync(archive, 'not a zip at all');
    expect((await expand(archive)).skipped).toEqual([{ path: archive, reason: expect.stringMatching(/^unreadable archive: /) }]);
  });
});

