import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDicomFile, type DicomFile } from '@dicom-tools/core';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { Client, constants, log, requests, responses, Scp, type Dataset } from 'dcmjs-dimse';
import { createStorageScp, echo, store, type DicomServer } from './index.js';

// dcmjs-dimse is an independent DIMSE implementation: here it is the peer, on each side of the association.
const HOST = '127.0.0.1';
const SOP_INSTANCE_UID = 0x00080018;
const PIXEL_DATA = 0x7fe00010;

function text(file: DicomFile, tag: number): string | undefined {
  const element = file.dataset.elements.get(tag);
  return element !== undefined && Array.isArray(element.value) ? (element.value[0] as string) : undefined;
}

function bytes(file: DicomFile, tag: number): Uint8Array | undefined {
  const element = file.dataset.elements.get(tag);
  return element?.value instanceof Uint8Array ? element.value : undefined;
}

/** Runs a dcmjs-dimse client's requests over one association; resolves when the association is closed. */
function runClient(client: Client, port: number, calledAe: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.on('networkError', (e: Error) => reject(e));
    client.on('associationRejected', () => reject(new Error('association rejected by our SCP')));
    client.on('closed', () => resolve());
    client.send(HOST, port, 'DCMJSDIMSE', calledAe, { connectTimeout: 5000, associationTimeout: 5000, pduTimeout: 5000 });
  });
}

beforeAll(() => {
  // Its logger (loglevel, every level enabled) writes to stdout; the dcmjs it bundles warns on console for each
  // private tag it drops (it has no name for them). Silence both: that copy of dcmjs is reachable only through
  // dcmjs-dimse's own resolution.
  log.setLevel('silent');
  const fromDimse = createRequire(createRequire(__filename).resolve('dcmjs-dimse'));
  (fromDimse('dcmjs') as { log: { setLevel(level: string): void } }).log.setLevel('silent');
});

describe('dcmjs-dimse SCU -> our storage SCP', () => {
  let dir: string;
  let scp: DicomServer;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'net-dcmjs-dimse-'));
    scp = createStorageScp({ outputDir: dir, aeTitle: 'OURSCP' });
    ({ port } = await scp.listen(0, HOST));
  });

  afterAll(async () => {
    await scp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers its C-ECHO and C-STORE with success and writes an instance with the same SOP Instance UID and Pixel Data bytes', async () => {
    const input = corpusFile('CT_small.dcm');
    const sent = await readDicomFile(input);
    const uid = text(sent, SOP_INSTANCE_UID)!;
    const stored: Array<{ sopInstanceUid: string; path?: string }> = [];
    scp.on('stored', (e) => stored.push({ sopInstanceUid: e.sopInstanceUid, ...(e.path !== undefined ? { path: e.path } : {}) }));

    const statuses: Record<string, number> = {};
    const client = new Client();
    const echoRequest = new requests.CEchoRequest();
    echoRequest.on('response', (r: responses.CEchoResponse) => { statuses['echo'] = r.getStatus(); });
    const storeRequest = new requests.CStoreRequest(input);
    storeRequest.on('response', (r: responses.CStoreResponse) => { statuses['store'] = r.getStatus(); });
    client.addRequest(echoRequest);
    client.addRequest(storeRequest);
    await runClient(client, port, 'OURSCP');

    expect(statuses).toEqual({ echo: constants.Status.Success, store: constants.Status.Success });
    expect(stored.map((s) => s.sopInstanceUid)).toEqual([uid]);
    const received = await readDicomFile(stored[0]!.path!);
    expect(text(received, SOP_INSTANCE_UID)).toBe(uid);
    const pixels = bytes(received, PIXEL_DATA);
    expect(pixels).toBeDefined();
    expect(Buffer.from(pixels!).equals(Buffer.from(bytes(sent, PIXEL_DATA)!))).toBe(true);
  });
});

describe('our echo and store SCU -> dcmjs-dimse SCP', () => {
  const received: Dataset[] = [];
  const accepted = [constants.TransferSyntax.ExplicitVRLittleEndian, constants.TransferSyntax.ImplicitVRLittleEndian];

  class PeerScp extends Scp {
    override associationRequested(association: Parameters<Scp['associationRequested']>[0]): void {
      for (const { id } of association.getPresentationContexts()) {
        const context = association.getPresentationContext(id);
        const syntax = context.getTransferSyntaxUids().find((ts) => accepted.includes(ts));
        if (syntax === undefined) context.setResult(constants.PresentationContextResult.RejectTransferSyntaxesNotSupported);
        else context.setResult(constants.PresentationContextResult.Accept, syntax);
      }
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(constants.Status.Success);
      callback(response);
    }

    override cStoreRequest(request: requests.CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
      const dataset = request.getDataset();
      if (dataset !== undefined) received.push(dataset);
      const response = responses.CStoreResponse.fromRequest(request);
      response.setStatus(constants.Status.Success);
      callback(response);
    }
  }

  // dcmjs-dimse's Server.listen(port) binds every interface; its Scp takes a connected socket, so we own the
  // net.Server and bind it to loopback.
  const sockets = new Set<Socket>();
  let server: NetServer;
  let port: number;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.setNoDelay(true);
      new PeerScp(socket, { associationTimeout: 5000, pduTimeout: 5000 });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gets success for C-ECHO', async () => {
    const result = await echo({ host: HOST, port, aeTitle: 'DCMJSDIMSE' });
    expect(result.status).toBe(constants.Status.Success);
    expect(result.category).toBe('success');
  });

  it('gets success for C-STORE and the peer receives a data set with the same SOP Instance UID', async () => {
    const input = corpusFile('CT_small.dcm');
    const uid = text(await readDicomFile(input), SOP_INSTANCE_UID)!;
    received.length = 0;
    const report = await store({ host: HOST, port, aeTitle: 'DCMJSDIMSE' }, [input]);
    expect(report.failed).toBe(0);
    expect(report.succeeded).toBe(1);
    expect(report.results[0]!.status?.status).toBe(constants.Status.Success);
    expect(received.map((d) => d.getElement('SOPInstanceUID'))).toEqual([uid]);
  });
});
