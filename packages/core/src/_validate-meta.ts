import { Tags } from './_generated/dictionary.js';
import type { DicomFile } from './dataset.js';
import { type FindingSink, elementsOf, pathStep, textValue } from './_validate-finding.js';
import { transferSyntaxInfo } from './transfer-syntax.js';

/** Media Storage Directory Storage: a DICOMDIR, whose data set has no SOP Class/Instance UID of its own. */
const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** The Type 1 elements of the file meta information (PS3.10 Table 7.1-1). */
const META_TYPE1 = [
  Tags.FileMetaInformationGroupLength,
  Tags.FileMetaInformationVersion,
  Tags.MediaStorageSOPClassUID,
  Tags.MediaStorageSOPInstanceUID,
  Tags.TransferSyntaxUID,
  Tags.ImplementationClassUID,
];

function at(tag: number): { tag: number; path: string } {
  return { tag, path: pathStep(tag) };
}

/**
 * File meta information consistency (PS3.10 7.1): required elements present, version 00H 01H, Media Storage
 * SOP Class/Instance equal to the data set's SOP Class/Instance, a known transfer syntax, no group 0002 in the data set.
 */
export function checkFileMeta(file: DicomFile, sink: FindingSink): void {
  const meta = elementsOf(file.meta) ?? new Map();
  const dataset = elementsOf(file.dataset) ?? new Map();
  for (const tag of dataset.keys()) {
    if (tag >>> 16 === 0x0002) sink.add('error', 'meta-in-dataset', 'a file meta element (group 0002) is in the data set', at(tag));
  }
  const syntax = typeof file.transferSyntaxUID === 'string' ? file.transferSyntaxUID : '';
  if (meta.size === 0) {
    sink.add('warning', 'meta-absent', 'no file meta information: a bare data set, not a DICOM Part 10 file');
    checkSyntax(syntax, sink, undefined);
    return;
  }
  for (const tag of META_TYPE1) {
    if (!meta.has(tag)) {
      const rule = tag === Tags.FileMetaInformationGroupLength ? 'meta-group-length' : 'meta-required';
      sink.add('error', rule, `file meta element ${pathStep(tag)} is missing`, at(tag));
    }
  }
  const version = meta.get(Tags.FileMetaInformationVersion);
  if (version !== undefined) {
    const bytes = version.value;
    if (!(bytes instanceof Uint8Array) || bytes.length !== 2 || bytes[0] !== 0x00 || bytes[1] !== 0x01) {
      sink.add('warning', 'meta-version', 'File Meta Information Version should be the two bytes 00H 01H', at(Tags.FileMetaInformationVersion));
    }
  }
  const groupLength = meta.get(Tags.FileMetaInformationGroupLength);
  if (groupLength !== undefined && (!Array.isArray(groupLength.value) || typeof groupLength.value[0] !== 'number')) {
    sink.add('error', 'meta-group-length', 'File Meta Information Group Length has no value', at(Tags.FileMetaInformationGroupLength));
  }

  const mediaClass = textValue(file.meta, Tags.MediaStorageSOPClassUID);
  const mediaInstance = textValue(file.meta, Tags.MediaStorageSOPInstanceUID);
  if (mediaClass !== MEDIA_STORAGE_DIRECTORY) {
    compareUid(mediaClass, textValue(file.dataset, Tags.SOPClassUID), Tags.MediaStorageSOPClassUID, 'SOP Class UID', 'meta-sop-class-mismatch', sink);
    compareUid(mediaInstance, textValue(file.dataset, Tags.SOPInstanceUID), Tags.MediaStorageSOPInstanceUID, 'SOP Instance UID', 'meta-sop-instance-mismatch', sink);
  }

  const metaSyntax = textValue(file.meta, Tags.TransferSyntaxUID);
  if (metaSyntax !== undefined && syntax !== '' && metaSyntax !== syntax) {
    sink.add('warning', 'meta-transfer-syntax-mismatch', 'Transfer Syntax UID in the file meta differs from the syntax the data set is encoded in', at(Tags.TransferSyntaxUID));
  }
  checkSyntax(metaSyntax ?? syntax, sink, metaSyntax !== undefined ? Tags.TransferSyntaxUID : undefined);
}

function compareUid(media: string | undefined, own: string | undefined, tag: number, ownName: string, rule: string, sink: FindingSink): void {
  if (media === undefined) return;
  if (own === undefined) {
    sink.add('error', rule, `${pathStep(tag)} is set but the data set has no ${ownName}`, at(tag));
  } else if (own !== media) {
    sink.add('error', rule, `${pathStep(tag)} differs from the data set's ${ownName}`, at(tag));
  }
}

function checkSyntax(uid: string, sink: FindingSink, tag: number | undefined): void {
  if (uid === '') return;
  if (!transferSyntaxInfo(uid).known) {
    const message = `transfer syntax ${JSON.stringify(uid.slice(0, 64))} is not a registered transfer syntax`;
    if (tag === undefined) sink.add('error', 'transfer-syntax-unknown', message);
    else sink.add('error', 'transfer-syntax-unknown', message, at(tag));
  }
}
