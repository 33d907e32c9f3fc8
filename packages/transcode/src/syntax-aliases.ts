import { DicomError, TransferSyntax } from '@dicom-tools/core';

/** Short names for the transfer syntaxes transcode writes, by canonical alias. */
export const TRANSFER_SYNTAX_ALIASES = {
  explicit: TransferSyntax.ExplicitVRLittleEndian,
  implicit: TransferSyntax.ImplicitVRLittleEndian,
  'big-endian': TransferSyntax.ExplicitVRBigEndian,
  deflated: TransferSyntax.DeflatedExplicitVRLittleEndian,
  rle: '1.2.840.10008.1.2.5',
  jpegls: '1.2.840.10008.1.2.4.80',
  'jpegls-near': '1.2.840.10008.1.2.4.81',
  j2k: '1.2.840.10008.1.2.4.90',
  'j2k-lossy': '1.2.840.10008.1.2.4.91',
  jpeg: '1.2.840.10008.1.2.4.50',
  'jpeg-extended': '1.2.840.10008.1.2.4.51',
  'jpeg-lossless': '1.2.840.10008.1.2.4.70',
  'jpeg-lossless-p14': '1.2.840.10008.1.2.4.57',
  htj2k: '1.2.840.10008.1.2.4.203',
  'htj2k-lossless': '1.2.840.10008.1.2.4.201',
  'htj2k-lossless-rpcl': '1.2.840.10008.1.2.4.202',
} as const;

/** A canonical alias: a key of {@link TRANSFER_SYNTAX_ALIASES}. */
export type TransferSyntaxAlias = keyof typeof TRANSFER_SYNTAX_ALIASES;

/** Other accepted spellings, including the names the seed CLI used (`j2k_lossy`, `jpeg2000-lossless`...). */
const SYNONYMS: Readonly<Record<string, TransferSyntaxAlias>> = {
  j2k_lossy: 'j2k-lossy',
  'jpeg2000-lossless': 'j2k',
  jpeg2000: 'j2k-lossy',
  'jpeg2000-lossy': 'j2k-lossy',
  'jpeg-ls': 'jpegls',
  'jpeg-ls-near': 'jpegls-near',
  jpegls_near: 'jpegls-near',
  big_endian: 'big-endian',
  jpeg_lossless: 'jpeg-lossless',
  jpeg_extended: 'jpeg-extended',
  deflate: 'deflated',
  'explicit-little-endian': 'explicit',
  'implicit-little-endian': 'implicit',
  'htj2k-rpcl': 'htj2k-lossless-rpcl',
  'htj2k-lossy': 'htj2k',
};

/** A resolved transfer syntax: its UID and the alias used in output file names. */
export interface ResolvedTransferSyntax {
  readonly uid: string;
  /** The canonical alias, or the UID itself for a syntax without one. */
  readonly alias: string;
}

/**
 * Resolves an alias (`jpegls`), a seed name (`j2k_lossy`, `jpeg2000-lossless`) or a UID to a transfer syntax.
 * Case-insensitive. Throws TRANSCODE_UNSUPPORTED naming the accepted aliases for anything else.
 */
export function resolveTransferSyntax(name: string): ResolvedTransferSyntax {
  const key = name.trim().toLowerCase();
  if (/^[0-9]+(\.[0-9]+)+$/.test(key)) return { uid: key, alias: transferSyntaxAlias(key) ?? key };
  const alias = (key in TRANSFER_SYNTAX_ALIASES ? key : SYNONYMS[key]) as TransferSyntaxAlias | undefined;
  if (alias === undefined) {
    throw new DicomError('TRANSCODE_UNSUPPORTED', `unknown transfer syntax "${name}": use a UID or one of ${Object.keys(TRANSFER_SYNTAX_ALIASES).join(', ')}`);
  }
  return { uid: TRANSFER_SYNTAX_ALIASES[alias], alias };
}

/** The canonical alias of a transfer syntax UID, if it has one. */
export function transferSyntaxAlias(uid: string): TransferSyntaxAlias | undefined {
  for (const [alias, value] of Object.entries(TRANSFER_SYNTAX_ALIASES)) if (value === uid) return alias as TransferSyntaxAlias;
  return undefined;
}
