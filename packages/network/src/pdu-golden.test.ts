// Wire bytes written by hand from PS3.8 (PDU layouts) and PS3.7 (command sets), sent to our SCP over a raw socket:
// the answers must be exactly the bytes the standard prescribes.
import { connect, type Socket } from 'node:net';
import { createScp, type DicomServer } from './index.js';

let scp: DicomServer;
let port: number;

beforeAll(async () => {
  scp = createScp({ aeTitle: 'GOLDEN', handlers: {}, maxPduLength: 16384 });
  ({ port } = await scp.listen(0));
});
afterAll(() => scp.close());

function ae(title: string): Buffer {
  return Buffer.from(title.padEnd(16, ' '), 'latin1');
}

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.from([type, 0, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/** A-ASSOCIATE-RQ (PS3.8 9.3.2): Verification with Implicit VR Little Endian, max PDU 16384. */
function associateRq(): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x00, 0x01, 0x00, 0x00]), // protocol version 1, reserved
    ae('GOLDEN'), ae('RAWSCU'), Buffer.alloc(32),
    item(0x10, Buffer.from('1.2.840.10008.3.1.1.1', 'latin1')),
    item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, Buffer.from('1.2.840.10008.1.1', 'latin1')), item(0x40, Buffer.from('1.2.840.10008.1.2', 'latin1'))])),
    item(0x50, Buffer.concat([item(0x51, Buffer.from([0, 0, 0x40, 0])), item(0x52, Buffer.from('1.2.3.4', 'latin1'))])),
  ]);
  const head = Buffer.from([0x01, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

/** Reads exactly one PDU. */
function readPdu(socket: Socket, buffered: { data: Buffer }): Promise<Buffer> {
  return new Promise((resolve) => {
    const attempt = (): boolean => {
      if (buffered.data.length < 6) return false;
      const length = buffered.data.readUInt32BE(2) + 6;
      if (buffered.data.length < length) return false;
      const pdu = buffered.data.subarray(0, length);
      buffered.data = buffered.data.subarray(length);
      resolve(Buffer.from(pdu));
      return true;
    };
    if (attempt()) return;
    const onData = (chunk: Buffer): void => {
      buffered.data = Buffer.concat([buffered.data, chunk]);
      if (attempt()) socket.off('data', onData);
    };
    socket.on('data', onData);
  });
}

describe('golden PDU bytes', () => {
  it('answers a hand-built A-ASSOCIATE-RQ with an A-ASSOCIATE-AC accepting the context, a C-ECHO-RQ with the exact C-ECHO-RSP, and A-RELEASE-RQ with A-RELEASE-RP', async () => {
    const socket = connect(port, '127.0.0.1');
    const buffered = { data: Buffer.alloc(0) };
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(associateRq());
    const ac = await readPdu(socket, buffered);
    expect(ac[0]).toBe(0x02);
    expect(ac.readUInt16BE(6)).toBe(1); // protocol version
    expect(ac.toString('latin1', 10, 26)).toBe('GOLDEN          ');
    expect(ac.toString('latin1', 26, 42)).toBe('RAWSCU          ');
    // Presentation context item 0x21 for context 1: result 0 (acceptance), transfer syntax Implicit VR LE.
    const pc = ac.indexOf(Buffer.from([0x21, 0x00]), 74);
    expect(ac.subarray(pc + 4, pc + 8)).toEqual(Buffer.from([1, 0, 0, 0]));
    expect(ac.subarray(pc + 8, pc + 12)).toEqual(Buffer.from([0x40, 0, 0, 17]));
    expect(ac.toString('latin1', pc + 12, pc + 29)).toBe('1.2.840.10008.1.2');

    // C-ECHO-RQ (PS3.7 9.3.5): group length, Affected SOP Class UID, Command Field 0x0030, Message ID 7,
    // Command Data Set Type 0x0101; implicit VR little endian; one PDV, command + last (0x03).
    const uid = Buffer.from('1.2.840.10008.1.1\0', 'latin1');
    const element = (tag: number, value: Buffer): Buffer => {
      const head = Buffer.alloc(8);
      head.writeUInt16LE(0x0000, 0);
      head.writeUInt16LE(tag, 2);
      head.writeUInt32LE(value.length, 4);
      return Buffer.concat([head, value]);
    };
    const us = (n: number): Buffer => Buffer.from([n & 0xff, n >> 8]);
    const rqBody = Buffer.concat([element(0x0002, uid), element(0x0100, us(0x0030)), element(0x0110, us(7)), element(0x0800, us(0x0101))]);
    const rq = Buffer.concat([element(0x0000, Buffer.from([rqBody.length, 0, 0, 0])), rqBody]);
    const pdata = (command: Buffer): Buffer => {
      const head = Buffer.alloc(12);
      head[0] = 0x04;
      head.writeUInt32BE(command.length + 6, 2);
      head.writeUInt32BE(command.length + 2, 6);
      head[10] = 1;
      head[11] = 0x03;
      return Buffer.concat([head, command]);
    };
    socket.write(pdata(rq));
    const rsp = await readPdu(socket, buffered);
    // C-ECHO-RSP: Affected SOP Class UID, Command Field 0x8030, Message ID Being Responded To 7, no data set, Status 0.
    const rspBody = Buffer.concat([element(0x0002, uid), element(0x0100, us(0x8030)), element(0x0120, us(7)), element(0x0800, us(0x0101)), element(0x0900, us(0))]);
    expect(rsp).toEqual(pdata(Buffer.concat([element(0x0000, Buffer.from([rspBody.length, 0, 0, 0])), rspBody])));

    socket.write(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    expect(await readPdu(socket, buffered)).toEqual(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    socket.destroy();
  });

  it('rejects an A-ASSOCIATE-RQ proposing only an unknown abstract syntax with result 3 (abstract syntax not supported)', async () => {
    const socket = connect(port, '127.0.0.1');
    const buffered = { data: Buffer.alloc(0) };
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(withAbstract('1.2.840.10008.9.9'));
    const ac = await readPdu(socket, buffered);
    const pc = ac.indexOf(Buffer.from([0x21, 0x00]), 74);
    expect(ac[pc + 6]).toBe(3);
    socket.write(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    socket.destroy();
  });
});

/** The same A-ASSOCIATE-RQ with another abstract syntax of the same length. */
function withAbstract(uid: string): Buffer {
  const bytes = associateRq();
  const at = bytes.indexOf(Buffer.from('1.2.840.10008.1.1', 'latin1'), 74 + 6);
  Buffer.from(uid, 'latin1').copy(bytes, at);
  return bytes;
}
