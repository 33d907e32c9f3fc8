import { UID_REGISTRY } from './_generated/uids.js';

/** The transfer syntaxes without pixel compression, which this package reads and writes. */
export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;

/** How a transfer syntax encodes a data set. */
export interface TransferSyntaxInfo {
  readonly uid: string;
  /** The registry name, or the UID itself when the registry does not know it. */
  readonly name: string;
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /** The whole data set is deflated (Deflated Explicit VR Little Endian). */
  readonly deflated: boolean;
  /** Pixel Data is encapsulated (compressed): every syntax but the four native ones. */
  readonly encapsulated: boolean;
  /** Known to the UID registry as a transfer syntax. */
  readonly known: boolean;
  readonly retired: boolean;
}

/** Describes a transfer syntax UID. Unknown UIDs are taken as encapsulated explicit VR little endian, as PS3.5 10 requires of new syntaxes. */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo {
  const entry = UID_REGISTRY[uid];
  const known = entry?.type === 'Transfer Syntax';
  const name = known ? entry.name.replace(/: Default Transfer Syntax.*$/, '') : uid;
  const retired = known ? entry.retired : false;
  switch (uid) {
    case TransferSyntax.ImplicitVRLittleEndian:
      return { uid, name, explicitVR: false, littleEndian: true, deflated: false, encapsulated: false, known, retired };
    case TransferSyntax.ExplicitVRLittleEndian:
      return { uid, name, explicitVR: true, littleEndian: true, deflated: false, encapsulated: false, known, retired };
    case TransferSyntax.DeflatedExplicitVRLittleEndian:
      return { uid, name, explicitVR: true, littleEndian: true, deflated: true, encapsulated: false, known, retired };
    case TransferSyntax.ExplicitVRBigEndian:
      return { uid, name, explicitVR: true, littleEndian: false, deflated: false, encapsulated: false, known, retired };
    default:
      return { uid, name, explicitVR: true, littleEndian: true, deflated: uid === '1.2.840.10008.1.2.4.95', encapsulated: true, known, retired };
  }
}

/** The registry name of any UID (SOP class, transfer syntax, well-known instance), if registered. */
export function uidName(uid: string): string | undefined {
  return UID_REGISTRY[uid]?.name;
}

/** The IOD a storage SOP class UID belongs to (`CT Image`), if registered. */
export function iodOfSopClass(uid: string): string | undefined {
  return UID_REGISTRY[uid]?.iod;
}
