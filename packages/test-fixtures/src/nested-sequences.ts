import type { Dataset, DicomFile } from '@dicom-tools/core';
import { code, item, seq, text } from './_elements.js';
import { basicTextSR } from './basic-text-sr.js';
import { identity } from './_modules.js';
import type { FixtureOptions } from './fixture-options.js';

/** Options of {@link nestedSequences}. */
export interface NestedSequencesOptions extends FixtureOptions {
  /** How many CONTAINER content items nest inside the root container (default 5, at least 1). */
  readonly depth?: number;
}

/** The container at `level` (1 = the root's child), holding a TEXT item, a CODE item and, unless the deepest, the next container. */
function container(level: number, depth: number): Dataset {
  const children: Dataset[] = [
    item(
      text(0x0040a010, 'CS', 'CONTAINS'), text(0x0040a040, 'CS', 'TEXT'),
      seq(0x0040a043, code('121071', 'DCM', 'Finding')), text(0x0040a160, 'UT', `Text at level ${level}`),
    ),
    item(
      text(0x0040a010, 'CS', 'CONTAINS'), text(0x0040a040, 'CS', 'CODE'),
      seq(0x0040a043, code('121071', 'DCM', 'Finding')), seq(0x0040a168, code('17621005', 'SCT', 'Normal')),
    ),
  ];
  if (level < depth) children.push(container(level + 1, depth));
  return item(
    text(0x0040a010, 'CS', 'CONTAINS'), text(0x0040a040, 'CS', 'CONTAINER'),
    seq(0x0040a043, code('121070', 'DCM', 'Findings')), text(0x0040a050, 'CS', 'SEPARATE'),
    seq(0x0040a730, ...children),
  );
}

/**
 * Deeply nested sequences in a valid IOD: a Basic Text SR whose content tree nests `depth` CONTAINER items, each
 * holding a TEXT and a CODE item besides the next container, so sequences nest `depth + 2` deep (the Content
 * Sequences, then the Concept Code Sequence of the deepest CODE item). Standard tags only, so the nesting
 * survives Implicit VR too. Also holds empty sequences (Referenced Performed Procedure Step Sequence).
 */
export function nestedSequences(options: NestedSequencesOptions = {}): DicomFile {
  const depth = options.depth ?? 5;
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth must be a positive integer, not ${depth}`);
  const id = identity('nestedSequences', options);
  const base = basicTextSR({ ...options, seriesInstanceUID: id.seriesInstanceUID, sopInstanceUID: id.sopInstanceUID });
  const elements = new Map(base.dataset.elements);
  const root = seq(0x0040a730, container(1, depth));
  elements.set(root.tag, root);
  return { ...base, dataset: { elements } };
}
