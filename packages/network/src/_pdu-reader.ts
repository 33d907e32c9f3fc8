import { DicomError } from '@dicom-tools/core';
import { PduType } from './_pdu.js';

/** What the reader yields: a whole control PDU (anything but P-DATA), or a piece of one PDV's data. */
export type PduEvent =
  | { readonly kind: 'control'; readonly type: number; readonly body: Buffer }
  | {
      readonly kind: 'pdv';
      readonly contextId: number;
      readonly command: boolean;
      /** True on the final piece of a PDV whose message control header says "last fragment". */
      readonly last: boolean;
      /** A view of the socket's bytes (no copy). */
      readonly data: Buffer;
    };

function protocolError(message: string): DicomError {
  return new DicomError('NET_PROTOCOL', `malformed PDU: ${message}`);
}

/**
 * Reads the upper-layer byte stream as it comes off the socket. P-DATA-TF PDUs are not assembled: the data of
 * each PDV is handed on in pieces that are views of the socket's chunks, so no byte of a data set is copied
 * whatever the PDU size. Control PDUs (association, release, abort) are assembled, copying only when one is
 * split across chunks. A PDU longer than `maxPduBytes` is a protocol error (a guard against a hostile length).
 */
export function createPduReader(maxPduBytes: number): { push(chunk: Buffer): PduEvent[] } {
  // A header (6 bytes of PDU or PDV head) split across chunks is gathered here.
  const head = Buffer.alloc(6);
  let headFill = 0;
  let state: 'pdu-head' | 'control' | 'pdv-head' | 'pdv-data' = 'pdu-head';
  let controlType = 0;
  let control: Buffer | undefined;
  let controlFill = 0;
  /** Bytes of the current P-DATA PDU body not read yet. */
  let pduLeft = 0;
  let pdvLeft = 0;
  let pdvContext = 0;
  let pdvCommand = false;
  let pdvLast = false;

  /** Copies up to 6 header bytes; returns the header when complete. */
  const gather = (chunk: Buffer, at: number): { header: Buffer | undefined; at: number } => {
    if (headFill === 0 && chunk.length - at >= 6) return { header: chunk.subarray(at, at + 6), at: at + 6 };
    const n = Math.min(6 - headFill, chunk.length - at);
    chunk.copy(head, headFill, at, at + n);
    headFill += n;
    if (headFill < 6) return { header: undefined, at: at + n };
    headFill = 0;
    return { header: head, at: at + n };
  };

  return {
    push(chunk) {
      const out: PduEvent[] = [];
      let at = 0;
      while (at < chunk.length) {
        if (state === 'pdu-head') {
          const got = gather(chunk, at);
          at = got.at;
          if (!got.header) break;
          const type = got.header[0]!;
          const length = got.header.readUInt32BE(2);
          if (length > maxPduBytes) throw protocolError(`PDU of ${length} bytes is larger than the ${maxPduBytes} accepted`);
          if (type === PduType.PData) {
            pduLeft = length;
            state = 'pdv-head';
            if (length === 0) state = 'pdu-head';
            continue;
          }
          controlType = type;
          if (chunk.length - at >= length) {
            out.push({ kind: 'control', type, body: chunk.subarray(at, at + length) });
            at += length;
            continue;
          }
          control = Buffer.allocUnsafe(length);
          controlFill = 0;
          state = 'control';
          continue;
        }
        if (state === 'control') {
          const n = chunk.copy(control!, controlFill, at);
          controlFill += n;
          at += n;
          if (controlFill < control!.length) break;
          out.push({ kind: 'control', type: controlType, body: control! });
          control = undefined;
          state = 'pdu-head';
          continue;
        }
        if (state === 'pdv-head') {
          if (pduLeft < 6) throw protocolError('PDV header runs past the PDU');
          const got = gather(chunk, at);
          at = got.at;
          if (!got.header) break;
          const length = got.header.readUInt32BE(0);
          if (length < 2 || length + 4 > pduLeft) throw protocolError(`PDV length ${length} does not fit the PDU`);
          pdvContext = got.header[4]!;
          pdvCommand = (got.header[5]! & 1) === 1;
          pdvLast = (got.header[5]! & 2) === 2;
          pduLeft -= 4 + length;
          pdvLeft = length - 2;
          if (pdvLeft === 0) {
            out.push({ kind: 'pdv', contextId: pdvContext, command: pdvCommand, last: pdvLast, data: chunk.subarray(at, at) });
            state = pduLeft === 0 ? 'pdu-head' : 'pdv-head';
            continue;
          }
          state = 'pdv-data';
          continue;
        }
        // pdv-data: hand on what this chunk holds of the PDV, as a view.
        const n = Math.min(pdvLeft, chunk.length - at);
        pdvLeft -= n;
        out.push({ kind: 'pdv', contextId: pdvContext, command: pdvCommand, last: pdvLast && pdvLeft === 0, data: chunk.subarray(at, at + n) });
        at += n;
        if (pdvLeft === 0) state = pduLeft === 0 ? 'pdu-head' : 'pdv-head';
      }
      return out;
    },
  };
}
