import type { DicomFile } from '@dicom-tools/core';
import { big, bytes, code, num, seq, text } from './_elements.js';
import { identity } from './_modules.js';
import { fixtureUid } from './_uid.js';
import { secondaryCapture } from './secondary-capture.js';
import type { FixtureOptions } from './fixture-options.js';

/** Numbers as little-endian words of `size` bytes, each written by `write`. */
function words(size: number, values: readonly number[], write: (view: DataView, at: number, value: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => write(view, i * size, value));
  return out;
}

/** Unsigned 64-bit little-endian words. */
function u64(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => view.setBigUint64(i * 8, value, true));
  return out;
}

/**
 * A small grey Secondary Capture image carrying one element of every VR of PS3.5 (all 34, SQ included), as the
 * Selector <VR> Value attributes of group 0072 (each a standard tag, so its VR is known in Implicit VR too), with
 * edge values: the extremes of SS, US, SL, UL, SV, UV, OL and OV; NaN-free floats in FL, FD, OF and OD; a
 * backslash inside LT, ST and UT (single-valued, so it is data); multi-valued text; a URL in UR; UN bytes.
 * Every byte-valued element has an even length, so no padding is added on writing.
 */
export function specialVrs(options: FixtureOptions = {}): DicomFile {
  const id = identity('specialVrs', options);
  const base = secondaryCapture({ ...options, rows: 8, columns: 8, seriesInstanceUID: id.seriesInstanceUID, sopInstanceUID: id.sopInstanceUID });
  const elements = new Map(base.dataset.elements);
  const add = [
    text(0x0072005e, 'AE', 'FIXTURE_AE', 'SECOND_AE'),
    text(0x0072005f, 'AS', '042Y'),
    num(0x00720060, 'AT', 0x00100010, 0x7fe00010),
    text(0x00720061, 'DA', '20240115', '19991231'),
    text(0x00720062, 'CS', 'ONE', 'TWO_2'),
    text(0x00720063, 'DT', '20240115101500.123456+0100', '2024'),
    text(0x00720064, 'IS', '0', '-42', '2147483647'),
    bytes(0x00720065, 'OB', Uint8Array.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff])),
    text(0x00720066, 'LO', 'Long string', 'Second value'),
    bytes(0x00720067, 'OF', words(4, [0.5, -2.25, 3.0e38, 1e-38], (v, at, n) => v.setFloat32(at, n, true))),
    text(0x00720068, 'LT', 'Line one\r\nLine two \\ with a backslash'),
    bytes(0x00720069, 'OW', words(2, [0, 1, 0x1234, 0xffff], (v, at, n) => v.setUint16(at, n, true))),
    text(0x0072006a, 'PN', 'Doe^John^Q^Dr^Jr', 'Roe^Jane'),
    text(0x0072006b, 'TM', '101500.123456', '2359'),
    text(0x0072006c, 'SH', 'Short', 'String'),
    bytes(0x0072006d, 'UN', Uint8Array.from([0xde, 0xad, 0xbe, 0xef])),
    text(0x0072006e, 'ST', 'Short text \\ with a backslash'),
    text(0x0072006f, 'UC', 'Unlimited characters, longer than the 64 of LO: '.padEnd(80, 'x'), 'Second value'),
    text(0x00720070, 'UT', 'Unlimited text \\ with a backslash'),
    text(0x00720071, 'UR', 'https://example.org/dicom-tools/fixture?name=special%20vrs'),
    text(0x00720072, 'DS', '1.5', '-0.25', '1e-05', '1234567890123456'),
    bytes(0x00720073, 'OD', words(8, [Math.PI, -1e300, 5e-324], (v, at, n) => v.setFloat64(at, n, true))),
    num(0x00720074, 'FD', Math.E, -1.5e-300),
    bytes(0x00720075, 'OL', words(4, [0, 1, 0x12345678, 0xffffffff], (v, at, n) => v.setUint32(at, n, true))),
    num(0x00720076, 'FL', 0.25, -8),
    num(0x00720078, 'UL', 0, 4294967295),
    num(0x0072007a, 'US', 0, 65535),
    num(0x0072007c, 'SL', -2147483648, 2147483647),
    num(0x0072007e, 'SS', -32768, 32767),
    text(0x0072007f, 'UI', '1.2.840.10008.1.2.1', fixtureUid(id.seed, 'specialVrs', 'selector')),
    seq(0x00720080, code('17621005', 'SCT', 'Normal')),
    bytes(0x00720081, 'OV', u64([0n, 0x0102030405060708n, 0xffffffffffffffffn])),
    big(0x00720082, 'SV', -(2n ** 63n), 0n, 2n ** 63n - 1n),
    big(0x00720083, 'UV', 0n, 12345678901234567890n, 2n ** 64n - 1n),
  ];
  for (const element of add) elements.set(element.tag, element);
  return { ...base, dataset: { elements } };
}
