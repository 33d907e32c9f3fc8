import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDicomError, TransferSyntax, type DicomFile } from '@dicom-tools/core';
import { corpusFile, ctSeries } from '@dicom-tools/test-fixtures';
import { createStorageScp, echo, store } from './index.js';
import { requireTool } from './_peers.test-util.js';

const HOST = '127.0.0.1';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'net-opts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('storage SCP limits', () => {
  it('answers 0xA700 (out of resources), not success, when the disk is full, and leaves no partial file', async () => {
    requireTool('mount');
    const small = join(dir, 'full');
    mkdirSync(small);
    // A 64 KiB file system: a 512x512 16-bit CT (512 KiB) cannot fit.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
    try {
      const scp = createStorageScp({ outputDir: small });
      const { port } = await scp.listen(0);
      try {
        const [big] = ctSeries({ slices: 1, rows: 512, columns: 512, seed: 'full' });
        const report = await store({ host: HOST, port }, [big!]);
        expect(report.results[0]!.status).toMatchObject({ status: 0xa700, category: 'failure' });
        expect(readdirSync(small)).toEqual([]);
        // The association survives: a small instance still fits.
        const [tiny] = ctSeries({ slices: 1, rows: 8, columns: 8, seed: 'fits' });
        expect((await store({ host: HOST, port }, [tiny!])).succeeded).toBe(1);
      } finally {
        await scp.close();
      }
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('reports NET_NO_PRESENTATION_CONTEXT for a compressed file the peer does not accept, and sends it through `transcode` when given', async () => {
    const scp = createStorageScp({ outputDir: join(dir, 'native'), storageTransferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] });
    const { port } = await scp.listen(0);
    try {
      const jpegLs = corpusFile('MR_small_jpeg_ls_lossless.dcm');
      const without = await store({ host: HOST, port }, [jpegLs]);
      expect(without.results[0]!.error?.code).toBe('NET_NO_PRESENTATION_CONTEXT');
      expect(without.failed).toBe(1);
      const [stand] = ctSeries({ slices: 1, seed: 'stand-in' });
      const calls: string[] = [];
      // A stand-in codec: records the syntax asked for and returns a native file.
      const transcode = (file: DicomFile, syntax: string): DicomFile => {
        calls.push(`${file.transferSyntaxUID}->${syntax}`);
        return { ...stand!, transferSyntaxUID: syntax };
      };
      const withCodec = await store({ host: HOST, port }, [jpegLs], { transcode });
      expect(calls).toEqual([`1.2.840.10008.1.2.4.80->${TransferSyntax.ExplicitVRLittleEndian}`]);
      expect(withCodec.results[0]!.status?.category).toBe('success');
      expect(withCodec.results[0]!.transferSyntaxUid).toBe(TransferSyntax.ExplicitVRLittleEndian);
    } finally {
      await scp.close();
    }
  });

  it('emits association, stored and closed events', async () => {
    const scp = createStorageScp({ outputDir: join(dir, 'events'), aeTitle: 'EVENTS' });
    const seen: string[] = [];
    scp.on('association', (e) => seen.push(`association ${e.callingAeTitle}->${e.calledAeTitle}`));
    scp.on('stored', (e) => seen.push(`stored ${e.status.category}`));
    scp.on('closed', (e) => seen.push(`closed ${e.error === undefined ? 'released' : 'aborted'}`));
    const { port } = await scp.listen(0);
    await store({ host: HOST, port, aeTitle: 'EVENTS' }, ctSeries({ slices: 2, seed: 'events' }), { callingAeTitle: 'ME' });
    await new Promise((r) => setTimeout(r, 50));
    await scp.close();
    expect(seen).toEqual(['association ME->EVENTS', 'stored success', 'stored success', 'closed released']);
  });

  it('close() aborts an association that stays open after the grace period', async () => {
    const scp = createStorageScp({ outputDir: join(dir, 'close') });
    const { port } = await scp.listen(0);
    const { associate } = await import('./index.js');
    const a = await associate({ host: HOST, port }, [{ abstractSyntax: '1.2.840.10008.1.1' }]);
    const started = Date.now();
    await scp.close({ graceMs: 100 });
    expect(Date.now() - started).toBeLessThan(1500);
    await new Promise((r) => setTimeout(r, 50));
    expect(a.isOpen).toBe(false);
    expect(scp.openAssociations).toBe(0);
  });
});

describe('idle timeout', () => {
  it('keeps an association that sends something within the idle time open, and aborts it once it stays silent longer', async () => {
    const scp = createStorageScp({ outputDir: join(dir, 'idle'), timeouts: { idle: 400 } });
    const { port } = await scp.listen(0);
    const { associate } = await import('./index.js');
    const a = await associate({ host: HOST, port }, [{ abstractSyntax: '1.2.840.10008.1.1' }]);
    // Busy for 1.2 s (3x the idle time): a C-ECHO every 150 ms keeps it open.
    for (let i = 0; i < 8; i++) {
      expect((await echo(a)).status).toBe(0);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(a.isOpen).toBe(true);
    const silentSince = Date.now();
    while (a.isOpen && Date.now() - silentSince < 3000) await new Promise((r) => setTimeout(r, 20));
    const silent = Date.now() - silentSince;
    await scp.close();
    expect(a.isOpen).toBe(false);
    expect(silent).toBeGreaterThanOrEqual(150);
    expect(silent).toBeLessThan(1500);
  });
});

describe('TLS', () => {
  it('runs C-ECHO and C-STORE over TLS with a CA-checked server certificate, and refuses a server it cannot verify', async () => {
    requireTool('openssl');
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const pem = { cert: readFileSync(cert), key: readFileSync(key) };
    const scp = createStorageScp({ outputDir: join(dir, 'tls'), tls: pem });
    const { port } = await scp.listen(0);
    try {
      const result = await echo({ host: HOST, port }, { tls: { ca: pem.cert } });
      expect(result.status).toBe(0);
      const report = await store({ host: HOST, port }, ctSeries({ slices: 2, seed: 'tls' }), { tls: { ca: pem.cert } });
      expect(report.succeeded).toBe(2);
      const untrusted = await echo({ host: HOST, port }, { tls: {} }).catch((e: unknown) => e);
      expect(isDicomError(untrusted, 'NET_CONNECT_FAILED')).toBe(true);
    } finally {
      await scp.close();
    }
  });
});
