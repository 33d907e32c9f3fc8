import { DicomError } from '@dicom-tools/core';

/** DIMSE command fields (PS3.7 E.1). */
export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CGetRq: 0x0010,
  CGetRsp: 0x8010,
  CFindRq: 0x0020,
  CFindRsp: 0x8020,
  CMoveRq: 0x0021,
  CMoveRsp: 0x8021,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  CCancelRq: 0x0fff,
} as const;

/** A DIMSE command set (group 0000) as plain fields. */
export interface Command {
  readonly commandField: number;
  readonly hasDataset: boolean;
  readonly messageId?: number;
  readonly messageIdBeingRespondedTo?: number;
  readonly affectedSopClassUid?: string;
  readonly requestedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  readonly requestedSopInstanceUid?: string;
  readonly priority?: number;
  readonly status?: number;
  readonly moveDestination?: string;
  readonly errorComment?: string;
  readonly offendingElements?: readonly number[];
  readonly remaining?: number;
  readonly completed?: number;
  readonly failed?: number;
  readonly warning?: number;
  readonly moveOriginatorAeTitle?: string;
  readonly moveOriginatorMessageId?: number;
}

type Kind = 'UI' | 'US' | 'AE' | 'LO' | 'AT' | 'UL';

/** The command elements we read and write, in tag order, with the field each maps to. */
const FIELDS: ReadonlyArray<readonly [number, Kind, keyof Command]> = [
  [0x00000002, 'UI', 'affectedSopClassUid'],
  [0x00000003, 'UI', 'requestedSopClassUid'],
  [0x00000100, 'US', 'commandField'],
  [0x00000110, 'US', 'messageId'],
  [0x00000120, 'US', 'messageIdBeingRespondedTo'],
  [0x00000600, 'AE', 'moveDestination'],
  [0x00000700, 'US', 'priority'],
  [0x00000800, 'US', 'hasDataset'],
  [0x00000900, 'US', 'status'],
  [0x00000901, 'AT', 'offendingElements'],
  [0x00000902, 'LO', 'errorComment'],
  [0x00001000, 'UI', 'affectedSopInstanceUid'],
  [0x00001001, 'UI', 'requestedSopInstanceUid'],
  [0x00001020, 'US', 'remaining'],
  [0x00001021, 'US', 'completed'],
  [0x00001022, 'US', 'failed'],
  [0x00001023, 'US', 'warning'],
  [0x00001030, 'AE', 'moveOriginatorAeTitle'],
  [0x00001031, 'US', 'moveOriginatorMessageId'],
];

/** CommandDataSetType (0000,0800) value meaning "no data set" (PS3.7 E.1). */
const NO_DATASET = 0x0101;

function valueBytes(kind: Kind, value: unknown): Buffer {
  switch (kind) {
    case 'US': {
      const b = Buffer.alloc(2);
      b.writeUInt16LE((value as number) & 0xffff);
      return b;
    }
    case 'UL': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE((value as number) >>> 0);
      return b;
    }
    case 'AT': {
      const tags = value as readonly number[];
      const b = Buffer.alloc(tags.length * 4);
      tags.forEach((tag, i) => {
        b.writeUInt16LE(tag >>> 16, i * 4);
        b.writeUInt16LE(tag & 0xffff, i * 4 + 2);
      });
      return b;
    }
    default: {
      const s = Buffer.from(value as string, 'latin1');
      if (s.length % 2 === 0) return s;
      return Buffer.concat([s, Buffer.from([kind === 'UI' ? 0 : 0x20])]);
    }
  }
}

/** Encodes a command set in Implicit VR Little Endian, with its group length first (PS3.7 6.3.1). */
export function encodeCommand(command: Command): Buffer {
  const parts: Buffer[] = [];
  for (const [tag, kind, field] of FIELDS) {
    let value: unknown = command[field];
    if (field === 'hasDataset') value = command.hasDataset ? 0x0000 : NO_DATASET;
    if (value === undefined) continue;
    const bytes = valueBytes(kind, value);
    const head = Buffer.alloc(8);
    head.writeUInt16LE(tag >>> 16);
    head.writeUInt16LE(tag & 0xffff, 2);
    head.writeUInt32LE(bytes.length, 4);
    parts.push(head, bytes);
  }
  const body = Buffer.concat(parts);
  const group = Buffer.alloc(12);
  group.writeUInt32LE(0x00000000, 0);
  group.writeUInt32LE(4, 4);
  group.writeUInt32LE(body.length, 8);
  return Buffer.concat([group, body]);
}

/** Decodes an Implicit VR Little Endian command set; unknown elements are skipped. */
export function decodeCommand(bytes: Buffer): Command {
  const out: Record<string, unknown> = {};
  let at = 0;
  while (at + 8 <= bytes.length) {
    const tag = ((bytes.readUInt16LE(at) << 16) | bytes.readUInt16LE(at + 2)) >>> 0;
    const length = bytes.readUInt32LE(at + 4);
    const start = at + 8;
    const end = start + length;
    if (end > bytes.length) throw new DicomError('NET_PROTOCOL', `malformed command set: element (0000,${(tag & 0xffff).toString(16).padStart(4, '0')}) runs past its end`);
    const entry = FIELDS.find((f) => f[0] === tag);
    if (entry) {
      const [, kind, field] = entry;
      if (kind === 'US') out[field] = length >= 2 ? bytes.readUInt16LE(start) : 0;
      else if (kind === 'UL') out[field] = length >= 4 ? bytes.readUInt32LE(start) : 0;
      else if (kind === 'AT') {
        const tags: number[] = [];
        for (let p = start; p + 4 <= end; p += 4) tags.push(((bytes.readUInt16LE(p) << 16) | bytes.readUInt16LE(p + 2)) >>> 0);
        out[field] = tags;
      } else out[field] = bytes.toString('latin1', start, end).replace(/^[ \0]+|[ \0]+$/g, '');
    }
    at = end;
  }
  if (typeof out['commandField'] !== 'number') throw new DicomError('NET_PROTOCOL', 'malformed command set: no Command Field (0000,0100)');
  out['hasDataset'] = out['hasDataset'] !== undefined && out['hasDataset'] !== NO_DATASET;
  return out as unknown as Command;
}
