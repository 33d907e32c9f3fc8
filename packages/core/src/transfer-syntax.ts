import { UID_REGISTRY, type UidEntry } from './_generated/uids.js';

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

/**
 * The registry as a Map, made on the first look-up: a UID read from a file is a fresh string, which a property
 * look-up in a 350-key object must first find in the engine's string table (about 1 µs cold, and most UIDs are not
 * in it), where a Map hashes it once. Also, only registered UIDs are found (not `toString`). A memo of a
 * constant: built once, never changed after, and nothing outside this module can tell whether it has been built.
 */
let registry: ReadonlyMap<string, UidEntry> | undefined;

function registryMap(): ReadonlyMap<string, UidEntry> {
  registry ??= new Map(Object.entries(UID_REGISTRY));
  return registry;
}

function registryEntry(uid: string): UidEntry | undefined {
  return registryMap().get(uid);
}

/**
 * The descriptions of the registry's transfer syntaxes, made with the registry's Map: the reader and the writer ask
 * for one per file. Frozen, as every caller gets the same object. A memo of a constant, as {@link registry} is.
 */
let registered: ReadonlyMap<string, TransferSyntaxInfo> | undefined;

/** Describes a transfer syntax UID. Unknown UIDs are taken as encapsulated explicit VR little endian, as PS3.5 10 requires of new syntaxes. */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo {
  if (registered === undefined) {
    const infos = new Map<string, TransferSyntaxInfo>();
    for (const [registeredUid, entry] of registryMap()) {
      if (entry.type === 'Transfer Syntax') infos.set(registeredUid, Object.freeze(describeSyntax(registeredUid, entry)));
    }
    registered = infos;
  }
  return registered.get(uid) ?? describeSyntax(uid, registryEntry(uid));
}

function describeSyntax(uid: string, entry: UidEntry | undefined): TransferSyntaxInfo {
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
  return registryEntry(uid)?.name;
}

/** The IOD a storage SOP class UID belongs to (`CT Image`), if registered. */
export function iodOfSopClass(uid: string): string | undefined {
  return registryEntry(uid)?.iod;
}
