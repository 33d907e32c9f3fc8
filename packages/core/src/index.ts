export { DicomError, ErrorCodes, isDicomError, withFile } from './errors.js';
export type { DicomErrorDetails, ErrorCode } from './errors.js';
export { VRS, isVr, isTextVr, isNumberVr, isBigIntVr, isBytesVr, maxValueLength } from './vr.js';
export type { Vr, TextVr, NumberVr, BigIntVr, BytesVr } from './vr.js';
export { Tags } from './_generated/dictionary.js';
export { lookupTag, keywordOf, isPrivateTag, isPrivateCreatorTag } from './dictionary.js';
export type { TagInfo } from './dictionary.js';
export { describeTag, formatTag, parseTag, parseTagPath, formatTagPath, tagForKeyword } from './tag.js';
export type { TagPathStep } from './tag.js';
export { TransferSyntax, transferSyntaxInfo, uidName, iodOfSopClass } from './transfer-syntax.js';
export type { TransferSyntaxInfo } from './transfer-syntax.js';
export { createDataset, getElement, sortedElements, isEncapsulated } from './dataset.js';
export type {
  BigIntElement, BytesElement, DataElement, Dataset, DicomFile, EncapsulatedElement, EncapsulatedPixelData,
  NumberElement, SequenceElement, TextElement,
} from './dataset.js';
export { readDicom, readDicomFile, readDicomStream } from './read-dicom.js';
export type { ReadOptions, ReadFileOptions } from './read-dicom.js';
export { writeDicom, writeDicomFile, writeFileAtomic, buildFileMeta, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './write-dicom.js';
export type { WriteOptions, WriteFileOptions } from './write-dicom.js';
