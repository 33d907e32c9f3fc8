import { Tags } from './_generated/dictionary.js';
import { IOD_MODULES, MODULE_ATTRIBUTES } from './_generated/iod-modules.js';
import type { Dataset } from './dataset.js';
import { type FindingSink, elementsOf, isEmptyElement, pathStep, textValue } from './_validate-finding.js';
import { iodOfSopClass } from './transfer-syntax.js';

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/**
 * For conditional and user-option modules, the attributes whose presence says the module is there (PS3.3 gives the
 * conditions in prose: grid-based RT doses carry Pixel Data, a Frame of Reference has its UID, an Image Plane its
 * orientation and position). Attributes such as Pixel Spacing appear in other modules too and prove nothing.
 * Modules not listed count as present when any of their Type 1 or 2 attributes is.
 */
const PRESENCE: Readonly<Record<string, readonly number[]>> = {
  'frame-of-reference': [Tags.FrameOfReferenceUID],
  'image-plane': [Tags.ImageOrientationPatient, Tags.ImagePositionPatient],
  'image-pixel': [Tags.PixelData],
  'general-image': [Tags.PixelData],
};

function at(tag: number): { tag: number; path: string } {
  return { tag, path: pathStep(tag) };
}

/**
 * Type 1 (present, with a value) and Type 2 (present) attributes of the modules the IOD of the data set's SOP Class
 * uses, from the generated table. Mandatory modules are always checked; conditional and user-option modules only
 * when they appear to be present (see PRESENCE). Type 1C/2C conditions are not evaluated, except Pixel Data
 * (required unless Pixel Data Provider URL is present, skipped on header-only reads).
 */
export function checkIodModules(dataset: Dataset, mediaSopClass: string | undefined, sink: FindingSink, options: { readonly headerOnly: boolean }): void {
  const elements = elementsOf(dataset);
  if (elements === undefined) return;
  const sopClass = textValue(dataset, Tags.SOPClassUID);
  if (sopClass === undefined) {
    if (mediaSopClass === MEDIA_STORAGE_DIRECTORY) return;
    sink.add('error', 'iod-unknown', 'SOP Class UID is missing or empty, so the IOD (and its required modules) cannot be known', at(Tags.SOPClassUID));
    return;
  }
  const iod = iodOfSopClass(sopClass);
  const list = iod !== undefined && Object.hasOwn(IOD_MODULES, iod) ? IOD_MODULES[iod] : undefined;
  if (iod === undefined || list === undefined) {
    sink.add('warning', 'iod-unknown', 'SOP Class UID names no IOD known to the standard tables; module attributes were not checked', at(Tags.SOPClassUID));
    return;
  }
  /** tag -> [Type, module name]; Type 1 wins over Type 2 when modules share an attribute. */
  const required = new Map<number, readonly [1 | 2, string]>();
  let usesImagePixel = false;
  for (const pair of list.split(' ')) {
    const [id = '', usage] = pair.split(':');
    const module = Object.hasOwn(MODULE_ATTRIBUTES, id) ? MODULE_ATTRIBUTES[id] : undefined;
    if (module === undefined) continue;
    const signature: readonly number[] = (Object.hasOwn(PRESENCE, id) ? PRESENCE[id] : undefined) ?? [...module.type1, ...module.type2];
    // A header-only read has no Pixel Data to go by: Rows stands in for it.
    const present = usage === 'M' || signature.some((t) => elements.has(t) || (options.headerOnly && t === Tags.PixelData && elements.has(Tags.Rows)));
    if (!present) continue;
    if (id === 'image-pixel') usesImagePixel = true;
    for (const tag of module.type1) {
      if (required.get(tag)?.[0] !== 1) required.set(tag, [1, module.name]);
    }
    for (const tag of module.type2) {
      if (!required.has(tag)) required.set(tag, [2, module.name]);
    }
  }
  for (const [tag, [type, module]] of [...required].sort((a, b) => a[0] - b[0])) {
    const element = elements.get(tag);
    if (element === undefined) {
      sink.add('error', `type${type}-missing`, `Type ${type} attribute ${pathStep(tag)} of the ${module} module (${iod} IOD) is missing`, at(tag));
    } else if (type === 1 && isEmptyElement(element)) {
      sink.add('error', 'type1-empty', `Type 1 attribute ${pathStep(tag)} of the ${module} module (${iod} IOD) is empty`, at(tag));
    }
  }
  if (usesImagePixel && !options.headerOnly && !elements.has(Tags.PixelData) && !elements.has(Tags.PixelDataProviderURL)) {
    sink.add('error', 'type1c-missing', `Pixel Data is required (Type 1C) by the Image Pixel module (${iod} IOD) when there is no Pixel Data Provider URL`, at(Tags.PixelData));
  }
}
