import { DicomError, isTextVr, parseTag, type Dataset } from '@dicom-tools/core';
import { sanitizePathPart, type SanitizePathPartOptions } from './sanitize-path-part.js';

/** The layouts of `organize --by`, as templates. */
export const ORGANIZE_PRESETS = {
  patient: '{PatientID}/{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm',
  study: '{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm',
  series: '{SeriesInstanceUID}/{SOPInstanceUID}.dcm',
  modality: '{Modality}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm',
} as const;

/** A name of {@link ORGANIZE_PRESETS}. */
export type OrganizePreset = keyof typeof ORGANIZE_PRESETS;

/** One piece of a parsed template: literal text, or a placeholder for an element's value. */
export type PathTemplatePiece = { readonly text: string } | { readonly tag: number; readonly pad: number };

/** A parsed path template: folders separated by `/`, each a sequence of literal text and placeholders. */
export interface PathTemplate {
  readonly source: string;
  readonly parts: readonly (readonly PathTemplatePiece[])[];
}

/**
 * Parses a template such as `{PatientID}/{StudyDate}_{StudyDescription}/{SeriesNumber:03}_{Modality}/{InstanceNumber:04}.dcm`:
 * `/` separates folders; `{Keyword}` (or `{(gggg,eeee)}`, `{ggggeeee}`) is replaced by the element's first value;
 * `{Keyword:0N}` zero-pads a number to N digits. Throws CORE_INVALID_VALUE for an unknown keyword, an unclosed
 * brace, or an empty folder part.
 */
export function parsePathTemplate(template: string): PathTemplate {
  const parts = template.split('/').map((part) => {
    if (part === '' || part === '.' || part === '..') throw new DicomError('CORE_INVALID_VALUE', `path template "${template}": empty, "." or ".." folder`);
    const pieces: PathTemplatePiece[] = [];
    let rest = part;
    while (rest !== '') {
      const open = rest.indexOf('{');
      if (open < 0) {
        pieces.push({ text: rest });
        break;
      }
      if (open > 0) pieces.push({ text: rest.slice(0, open) });
      const close = rest.indexOf('}', open);
      if (close < 0) throw new DicomError('CORE_INVALID_VALUE', `path template "${template}": "{" without "}"`);
      const [name = '', format] = rest.slice(open + 1, close).split(':');
      let tag: number;
      try {
        tag = parseTag(name);
      } catch (error) {
        throw new DicomError('CORE_INVALID_VALUE', `path template "${template}": unknown keyword "${name}"`, { cause: error });
      }
      if (format !== undefined && !/^0?[0-9]{1,2}$/.test(format)) throw new DicomError('CORE_INVALID_VALUE', `path template "${template}": format ":${format}" is not :0N`);
      pieces.push({ tag, pad: format === undefined ? 0 : Number(format) });
      rest = rest.slice(close + 1);
    }
    return pieces;
  });
  return { source: template, parts };
}

function valueOf(dataset: Dataset, tag: number, pad: number): string {
  const element = dataset.elements.get(tag);
  let text = '';
  if (element !== undefined && !('encapsulated' in element)) {
    const first: unknown = Array.isArray(element.value) ? (element.value as readonly unknown[])[0] : undefined;
    if (isTextVr(element.vr) && typeof first === 'string') text = first.trim();
    else if (typeof first === 'number' || typeof first === 'bigint') text = String(first);
  }
  if (pad > 0 && /^[+-]?[0-9]+$/.test(text)) {
    const negative = text.startsWith('-');
    text = `${negative ? '-' : ''}${text.replace(/^[+-]/, '').padStart(pad, '0')}`;
  }
  return text;
}

/**
 * The relative path (folder and file names, in order) of `dataset` under `template`. Every part is sanitized
 * with {@link sanitizePathPart}: each value alone (an empty value gives `UNKNOWN`), then the whole part (255 bytes at
 * most), so no value can add a folder level, climb out with `..`, or name a device: joined to OUT, the path stays
 * inside OUT.
 */
export function renderPathTemplate(template: PathTemplate, dataset: Dataset, options: SanitizePathPartOptions = {}): string[] {
  return template.parts.map((pieces) => {
    // Each value is sanitized (and cut to maxBytes) on its own, so literal text such as `.dcm` survives a long value.
    const text = pieces.map((p) => ('text' in p ? p.text : sanitizePathPart(valueOf(dataset, p.tag, p.pad), options))).join('');
    return sanitizePathPart(text, { maxBytes: 255 });
  });
}
