// A C-STORE written by hand from PS3.8 (PDU and PDV layouts) and PS3.7 (C-STORE-RQ command set), cut into
// PDUs and PDVs in unusual places and written to the socket in odd-sized pieces: whatever way the bytes arrive,
// the instance must be stored with exactly the data set bytes that were sent, and answered with status 0.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorageScp, type DicomServer } from './index.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT_LE = '1.2.840.10008.1.2';

let scp: DicomServer;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dicom-tools-pdu-frag-'));
  scp = createStorageScp({ outputDir: dir, aeTitle: 'FRAG' });
  ({ port } = await scp.listen(0));
});
afterAll(async () => {
  await scp.close();
  rmSync(dir, { recursive: true, force: true });
});

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.from([type, 0, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function associateRq(): Buffer {
  const ae = (t: string): Buffer => Buffer.from(t.padEnd(16, ' '), 'latin1');
  const body = Buffer.concat([
    Buffer.from([0, 1, 0, 0]), ae('FRAG'), ae('RAWSCU'), Buffer.alloc(32),
    item(0x10, Buffer.from('1.2.840.10008.3.1.1.1', 'latin1')),
    item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, Buffer.from(CT, 'latin1')), item(0x40, Buffer.from(IMPLICIT_LE, 'latin1'))])),
    item(0x50, Buffer.concat([item(0x51, Buffer.from([0, 0, 0x40, 0])), item(0x52, Buffer.from('1.2.3.4', 'latin1'))])),
  ]);
  const head = Buffer.from([0x01, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/** An implicit VR little endian element (PS3.5 7.1.3). */
function element(group: number, elementNumber: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elementNumber, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const us = (n: number): Buffer => Buffer.from([n & 0xff, n >> 8]);
const ui = (uid: string): Buffer => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');

/** C-STORE-RQ (PS3.7 9.3.1.1), with its group length. */
function storeRq(messageId: number, sopInstanceUid: string): Buffer {
  const body = Buffer.concat([
    element(0, 0x0002, ui(CT)), element(0, 0x0100, us(0x0001)), element(0, 0x0110, us(messageId)),
    element(0, 0x0700, us(0)), element(0, 0x0800, us(0x0000)), element(0, 0x1000, ui(sopInstanceUid)),
  ]);
  return Buffer.concat([element(0, 0x0000, Buffer.from([body.length & 0xff, body.length >> 8, 0, 0])), body]);
}

/** A data set: SOP class and instance, a name, and 2,001 bytes of OB-like data (odd, padded to 2,002). */
function dataset(sopInstanceUid: string): Buffer {
  const pixels = Buffer.alloc(2002);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + 7) & 0xff;
  return Buffer.concat([element(0x0008, 0x0016, ui(CT)), element(0x0008, 0x0018, ui(sopInstanceUid)), element(0x0010, 0x0010, Buffer.from('FRAG^TEST ', 'latin1')), element(0x7fe0, 0x0010, pixels)]);
}

/** One P-DATA-TF PDU holding the given PDVs (PS3.8 9.3.5 and E.2: control header bit 0 command, bit 1 last). */
function pdata(pdvs: Array<{ command: boolean; last: boolean; data: Buffer }>): Buffer {
  const parts = pdvs.map((p) => {
    const head = Buffer.alloc(6);
    head.writeUInt32BE(p.data.length + 2, 0);
    head[4] = 1;
    head[5] = (p.command ? 1 : 0) | (p.last ? 2 : 0);
    return Buffer.concat([head, p.data]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.from([0x04, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/** The command in two PDUs, the data set in two PDUs of which the first holds three PDVs (one of a single byte, one empty). */
function fragmentedStore(messageId: number, uid: string): { bytes: Buffer; data: Buffer } {
  const command = storeRq(messageId, uid);
  const data = dataset(uid);
  const bytes = Buffer.concat([
    pdata([{ command: true, last: false, data: command.subarray(0, 10) }]),
    pdata([{ command: true, last: true, data: command.subarray(10) }]),
    pdata([
      { command: false, last: false, data: data.subarray(0, 700) },
      { command: false, last: false, data: data.subarray(700, 701) },
      { command: false, last: false, data: data.subarray(701, 701) },
      { command: false, last: false, data: data.subarray(701, 1500) },
    ]),
    pdata([{ command: false, last: true, data: data.subarray(1500) }]),
  ]);
  return { bytes, data };
}

/** Collects what the SCP sends; resolves with the next whole PDU. */
function pduReader(socket: Socket): () => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  return async () => {
    for (;;) {
      if (buffered.length >= 6 && buffered.length >= 6 + buffered.readUInt32BE(2)) {
        const length = 6 + buffered.readUInt32BE(2);
        const pdu = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        return pdu;
      }
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
}

/** Writes `bytes` in pieces of the given sizes (cycling), letting the event loop turn between pieces. */
async function writeInPieces(socket: Socket, bytes: Buffer, sizes: readonly number[]): Promise<void> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    socket.write(bytes.subarray(at, at + n));
    at += n;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Status (0000,0900) of a one-PDV command PDU. */
function statusOf(pdu: Buffer): number {
  const at = pdu.indexOf(Buffer.from([0x00, 0x00, 0x00, 0x09, 0x02, 0x00, 0x00, 0x00]), 12);
  expect(at).toBeGreaterThan(0);
  return pdu.readUInt16LE(at + 8);
}

describe('P-DATA fragmentation', () => {
  it.each([
    ['all PDUs in one write', [1 << 20]],
    ['pieces of 1, 2, 3, 5, 7, 11 and 13 bytes', [1, 2, 3, 5, 7, 11, 13]],
    ['pieces that cut every PDU and PDV header', [4, 9, 6, 700, 3]],
  ])('stores exactly the data set bytes sent, whatever the PDU/PDV cuts and socket chunks (%s)', async (_name, sizes) => {
    const uid = `1.2.826.0.1.3680043.10.1138.${sizes.length}.${sizes[0]}`;
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const next = pduReader(socket);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(associateRq());
    expect((await next())[0]).toBe(0x02);
    const { bytes, data } = fragmentedStore(5, uid);
    await writeInPieces(socket, bytes, sizes);
    const rsp = await next();
    expect(rsp[0]).toBe(0x04);
    expect(statusOf(rsp)).toBe(0);
    socket.write(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    expect((await next())[0]).toBe(0x06);
    socket.destroy();
    const stored = readFileSync(join(dir, `${uid}.dcm`));
    // Part 10: 128-byte preamble, DICM, then the file meta (group 0002), then the data set exactly as sent.
    expect(stored.toString('latin1', 128, 132)).toBe('DICM');
    expect(stored.length).toBeGreaterThan(132 + data.length);
    expect(stored.subarray(stored.length - data.length).equals(data)).toBe(true);
    // File Meta Information Group Length (0002,0000) UL, explicit VR (PS3.10 7.1): the meta ends where the data set starts.
    expect(stored.readUInt16LE(132)).toBe(0x0002);
    expect(stored.readUInt16LE(134)).toBe(0x0000);
    expect(132 + 12 + stored.readUInt32LE(140)).toBe(stored.length - data.length);
  });
});
