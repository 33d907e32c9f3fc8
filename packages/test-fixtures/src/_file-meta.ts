import { buildFileMeta, type DataElement, type Dataset, type DicomFile } from '@dicom-tools/core';

/** Bytes one file meta element takes in Explicit VR Little Endian (PS3.5 7.1.2), value padded to even length. */
function encodedLength(element: DataElement): number {
  const header = element.vr === 'OB' || element.vr === 'UN' ? 12 : 8;
  const value = element.value instanceof Uint8Array ? element.value.length : Buffer.byteLength((element.value as readonly string[]).join('\\'), 'latin1');
  return header + value + (value % 2);
}

/**
 * The file meta group of `file` as a reader would return it after writeDicom: the writer's own elements
 * (buildFileMeta), with File Meta Information Group Length set to the length of the elements after it.
 */
export function fileMetaOf(file: DicomFile): Dataset {
  const built = buildFileMeta(file, file.transferSyntaxUID);
  const rest = [...built.elements.values()].filter((e) => e.tag !== 0x00020000);
  const length = rest.reduce((sum, e) => sum + encodedLength(e), 0);
  const elements = new Map<number, DataElement>([[0x00020000, { tag: 0x00020000, vr: 'UL', value: [length] }]]);
  for (const e of rest) elements.set(e.tag, e);
  return { elements };
}
