// Test support (not built, not exported): spawn DCMTK peers on loopback and compare files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { echo } from './index.js';

/** Throws (so the test fails, never skips) when a peer program is missing. */
export function requireTool(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') throw new Error(`${name} is not installed (apt-get install dcmtk / orthanc): this test needs it`);
  return path;
}

/** A free TCP port on 127.0.0.1 (for peers that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** DCMTK needs TCP_NODELAY=1 to turn Nagle off. */
export const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };

/** Runs a DCMTK tool to completion; resolves with its exit code and output. */
export function run(tool: string, args: readonly string[], timeoutMs = 60000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(requireTool(tool), args, { env: DCMTK_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a DCMTK server (storescp, dcmqrscp...) and waits until it answers C-ECHO. */
export async function startServer(tool: string, args: readonly string[], port: number, aeTitle: string, cwd?: string): Promise<ChildProcess> {
  const child = spawn(requireTool(tool), args, { env: DCMTK_ENV, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd !== undefined ? { cwd } : {}) });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100; i++) {
    try {
      await echo({ host: '127.0.0.1', port, aeTitle }, { timeouts: { connect: 500, association: 2000 } });
      return child;
    } catch {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${tool} did not start: ${output}`);
}

/** Stops a spawned server and waits for it to exit. */
export function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** The data set bytes of a Part 10 file (everything after the file meta group), read independently of core. */
export function datasetBytes(source: string | Buffer): Buffer {
  const bytes = typeof source === 'string' ? readFileSync(source) : source;
  if (bytes.toString('latin1', 128, 132) !== 'DICM') return bytes;
  let at = 132;
  while (at + 8 <= bytes.length && bytes.readUInt16LE(at) === 0x0002) {
    const vr = bytes.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    at += long ? 12 + bytes.readUInt32LE(at + 8) : 8 + bytes.readUInt16LE(at + 6);
  }
  return bytes.subarray(at);
}

/** The Transfer Syntax UID in a Part 10 file's meta, read independently of core. */
export function metaSyntax(path: string): string {
  const bytes = readFileSync(path);
  let at = 132;
  while (at + 8 <= bytes.length && bytes.readUInt16LE(at) === 0x0002) {
    const vr = bytes.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    const length = long ? bytes.readUInt32LE(at + 8) : bytes.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (bytes.readUInt16LE(at + 2) === 0x0010) return bytes.toString('latin1', start, start + length).replace(/\0+$/, '');
    at = start + length;
  }
  return '';
}
