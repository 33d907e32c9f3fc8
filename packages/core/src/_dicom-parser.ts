// The narrow slice of dicom-parser (1.8.21) that the reader drives, typed here because the package's own
// declarations do not match its runtime exports (DataSet is a class at run time).
import dicomParserModule from 'dicom-parser';

export interface DpFragment {
  readonly offset: number;
  readonly position: number;
  readonly length: number;
}
export interface DpElement {
  tag: string;
  vr?: string;
  length: number;
  dataOffset: number;
  items?: DpItem[];
  hadUndefinedLength?: boolean;
  encapsulatedPixelData?: boolean;
  fragments?: DpFragment[];
}
export interface DpItem {
  tag: string;
  length: number;
  dataOffset: number;
  dataSet?: DpDataSet;
}
export interface DpDataSet {
  byteArray: Uint8Array;
  elements: Record<string, DpElement>;
  warnings?: string[];
}
export interface DpByteStream {
  position: number;
  warnings: string[];
  byteArray: Uint8Array;
}
interface DpParser {
  readonly __parser: true;
}
type VrCallback = (tag: string) => string | undefined;

interface DicomParserApi {
  ByteStream: new (parser: DpParser, bytes: Uint8Array, position: number) => DpByteStream;
  DataSet: new (parser: DpParser, bytes: Uint8Array, elements: Record<string, DpElement>) => DpDataSet;
  littleEndianByteArrayParser: DpParser;
  bigEndianByteArrayParser: DpParser;
  parseDicomDataSetExplicit(dataSet: DpDataSet, stream: DpByteStream, maxPosition: number, options: { untilTag?: string }): void;
  parseDicomDataSetImplicit(dataSet: DpDataSet, stream: DpByteStream, maxPosition: number, options: { untilTag?: string; vrCallback?: VrCallback }): void;
  readSequenceItemsImplicit(stream: DpByteStream, element: DpElement, vrCallback?: VrCallback): void;
}

export const dp = dicomParserModule as unknown as DicomParserApi;
