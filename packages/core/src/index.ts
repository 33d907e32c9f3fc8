export { DicomError, ErrorCodes, fileSystemError, isDicomError, withFile } from './errors.js';
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
export { checkTextValue, checkVm } from './vr-format.js';
export type { ValueProblem } from './vr-format.js';
export { datasetToJson, datasetFromJson, dicomFileToJson, dicomFileFromJson } from './dicom-json.js';
export type { DicomJsonAttribute, DicomJsonObject, DicomJsonPersonName, DicomJsonValue, FileToJsonOptions, FromJsonOptions, ToJsonOptions } from './dicom-json.js';
export { summarizeMetadata } from './metadata.js';
export type {
  AcquisitionSummary, EquipmentSummary, ImageSummary, MetadataSummary, NamedUid, PatientSummary, SeriesSummary, StudySummary, SummarizeOptions,
} from './metadata.js';
export { findDicomFiles } from './find-dicom-files.js';
export type { FindDicomFilesOptions, FoundDicomFile, FoundFile, SkippedFile } from './find-dicom-files.js';
export { validate, validateFile } from './validate.js';
export type { Finding, FindingSeverity, ValidateOptions, ValidationReport } from './validate.js';
export { getElementAt, setElementAt, toPathSteps, formatElementPath, datasetsAlongPath } from './element-path.js';
export type { ElementPath } from './element-path.js';
export { parseDate, formatDate, parseTime, formatTime, parseDateTime, formatDateTime, parseAge, formatAge } from './date-time.js';
export type { DicomDate, DicomTime, DicomDateTime, DicomAge } from './date-time.js';
export { parsePersonName, formatPersonName } from './person-name.js';
export type { PersonName, PersonNameComponents, PersonNameInput } from './person-name.js';
export { formatDecimalString, formatIntegerString } from './decimal-string.js';
export {
  getString, getStrings, getNumber, getNumbers, getDate, getTime, getDateTime, getPersonName, getPersonNames, getAge, getTag,
  getSequence, getBytes, buildElement, setValue, deleteElement,
} from './values.js';
export type { ScalarValueInput, ValueInput, SetValueOptions } from './values.js';
export { editTags, editsFromJson } from './edit-tags.js';
export type { TagEdit, TagEditOp, TagChange, EditTagsOptions, EditTagsResult } from './edit-tags.js';
export { createCodecRegistry, requireCodec } from './codec-registry.js';
export type { CodecRegistry, DecodedFrame, EncodedFrame, EncodeOptions, FrameDescriptor, PixelCodec } from './codec-registry.js';
export { encapsulatedFrames, encapsulateFrames } from './encapsulated-frames.js';
export type { EncapsulatedFramesOptions } from './encapsulated-frames.js';
export { describePixels } from './pixel-description.js';
export type { PixelDescription } from './pixel-description.js';
export { getFrame, decodeFrame, frameCount } from './pixel-frame.js';
export type { PixelFrame, PixelArray, DecodeFrameOptions } from './pixel-frame.js';
export { readDicomFileSync } from './read-dicom.js';
export { modalityTransform, applyModalityLut, modalityValue, isIdentityTransform } from './modality-lut.js';
export type { ModalityTransform, LookupTable } from './modality-lut.js';
export { fileVoiTransforms, autoWindow, applyVoi, percentileOfSorted } from './voi-lut.js';
export type { VoiFunction, VoiWindow, VoiTable, VoiTransform, AutoWindowOptions } from './voi-lut.js';
export { pixelPaddingRange, pixelPaddingMask } from './pixel-padding.js';
export { toRgb, isColorPhotometric } from './color.js';
export type { RgbImage } from './color.js';
export { calculateStatistics } from './statistics.js';
export type { StatisticsOptions, ChannelStatistics, FrameStatistics } from './statistics.js';
export { histogram } from './histogram.js';
export type { Histogram, HistogramOptions } from './histogram.js';
export { renderFrame } from './render-image.js';
export type { RenderOptions, RenderedImage, WindowChoice } from './render-image.js';
export { encodePng, encodeJpeg } from './encode-image.js';
export type { PngOptions, JpegOptions } from './encode-image.js';
export { splitFrames, randomUid } from './split-frames.js';
export type { SplitFramesOptions } from './split-frames.js';
export type { ReadBuffer, ReadSyncOptions } from './read-dicom.js';
export { classifyDicomBytes, classifyWalkedFile } from './find-dicom-files.js';
export { walkFiles } from './walk-files.js';
export type { WalkedFile } from './walk-files.js';
export { scanFileMeta, scanSopUids, type ScannedFileMeta, type ScannedSopUids } from './scan-file-meta.js';
export { resolveUnknownVr } from './unknown-vr.js';
export type { ResolveUnknownVrOptions } from './unknown-vr.js';
export { openRegularFile, openRegularFileSync } from './open-regular-file.js';
