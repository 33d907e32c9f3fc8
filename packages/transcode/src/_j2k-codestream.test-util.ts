// Test support (excluded from the build): reads the main header and the tile-part structure of a JPEG 2000 / HTJ2K
// codestream, straight from the marker layout of ITU-T T.800 Annex A (and the Part 15 additions), so tests can check
// what an encoder wrote without trusting any decoder; and the error bound of an HTJ2K lossy encode.
import { htj2kQuantizationStep } from './index.js';

/** What the main header and tile-parts of a codestream say. */
export interface CodestreamLayout {
  /** Marker codes of the main header in order, SOC first, up to (not including) the first SOT. */
  readonly markers: readonly number[];
  /** SIZ Rsiz (A.5.1; bit 14 set means a Part 15 CAP marker segment is present). */
  readonly rsiz: number;
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** COD (A.6.1): progression order (0 LRCP, 1 RLCP, 2 RPCL, 3 PCRL, 4 CPRL), layers, MCT, levels, code-block style, transform (0 9-7, 1 5-3). */
  readonly cod: { progression: number; layers: number; mct: number; decompositions: number; blockStyle: number; transform: number };
  /** QCD Sqcd quantization style (low 5 bits; A.6.4): 0 none, 1 scalar derived, 2 scalar expounded. */
  readonly quantizationStyle: number;
  /** Tile-part lengths from the TLM marker segments (A.7.1), in order; undefined when there is no TLM. */
  readonly tlm: readonly number[] | undefined;
  /** Each tile-part's SOT (A.4.2): tile index, Psot (length from the SOT marker to the end of its data), TPsot. */
  readonly tileParts: readonly { tile: number; length: number; part: number }[];
  /** Whether the stream ends with EOC right after the last tile-part (and at most a zero byte of fragment padding). */
  readonly endsWithEoc: boolean;
}

/** Parses `stream`; throws on anything that does not follow the marker syntax. */
export function parseCodestream(stream: Uint8Array): CodestreamLayout {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const u16 = (at: number): number => view.getUint16(at);
  if (u16(0) !== 0xff4f) throw new Error('no SOC marker');
  const markers = [0xff4f];
  let at = 2;
  let siz: { rsiz: number; width: number; height: number; components: number } | undefined;
  let cod: CodestreamLayout['cod'] | undefined;
  let quantizationStyle: number | undefined;
  let tlm: number[] | undefined;
  while (u16(at) !== 0xff90) {
    const marker = u16(at);
    const length = u16(at + 2);
    const body = at + 4;
    markers.push(marker);
    if (marker === 0xff51) {
      siz = { rsiz: u16(body), width: view.getUint32(body + 2) - view.getUint32(body + 10), height: view.getUint32(body + 6) - view.getUint32(body + 14), components: u16(body + 34) };
    } else if (marker === 0xff52) {
      cod = {
        progression: view.getUint8(body + 1), layers: u16(body + 2), mct: view.getUint8(body + 4), decompositions: view.getUint8(body + 5),
        blockStyle: view.getUint8(body + 8), transform: view.getUint8(body + 9),
      };
    } else if (marker === 0xff5c) {
      quantizationStyle = view.getUint8(body) & 0x1f;
    } else if (marker === 0xff55) {
      const stlm = view.getUint8(body + 1);
      const st = (stlm >> 4) & 3;
      const sp = (stlm >> 6) & 1;
      const entry = st + (sp === 1 ? 4 : 2);
      tlm ??= [];
      for (let e = body + 2; e + entry <= at + 2 + length; e += entry) tlm.push(sp === 1 ? view.getUint32(e + st) : u16(e + st));
    }
    at += 2 + length;
    if (at + 2 > stream.length) throw new Error('main header runs past the end of the stream');
  }
  if (siz === undefined || cod === undefined || quantizationStyle === undefined) throw new Error('main header without SIZ, COD or QCD');
  const tileParts: { tile: number; length: number; part: number }[] = [];
  while (at + 2 <= stream.length && u16(at) === 0xff90) {
    const length = view.getUint32(at + 6);
    tileParts.push({ tile: u16(at + 4), length, part: view.getUint8(at + 10) });
    if (length === 0) throw new Error('a tile-part of unstated length (Psot 0)');
    at += length;
  }
  // A DICOM fragment has an even length, so an odd codestream is followed by one padding byte (PS3.5 A.4).
  const endsWithEoc = at + 2 <= stream.length && u16(at) === 0xffd9 && (stream.length === at + 2 || (stream.length === at + 3 && stream[at + 2] === 0));
  return { markers, ...siz, cod, quantizationStyle, tlm, tileParts, endsWithEoc };
}

/**
 * The least PSNR an HTJ2K lossy (.203) encode at `quality` may give. Quality Q quantizes with a base step of
 * s = 2^((100 - Q) / 10) least significant bits (htj2kQuantizationStep); OpenJPH divides the step of each subband by
 * the square root of that subband's synthesis energy gain, so a quantization error of at most one step per
 * coefficient (the dead zone's worst case) adds at most s^2 to the mean squared error of the samples, under the usual
 * model of uncorrelated errors; rounding to integers adds at most 1/2 to the RMS error. Colour goes through the
 * inverse irreversible colour transform, whose largest row (B = Y + 1.772 Cb) multiplies the RMS error by
 * sqrt(1 + 1.772^2) = 2.035 at most. So RMSE <= k s + 0.5 with k = 1 (grey) or 2.035 (colour).
 */
export function htj2kPsnrBound(quality: number, bits: number, colour: boolean): number {
  const rmse = (colour ? Math.hypot(1, 1.772) : 1) * htj2kQuantizationStep(quality) + 0.5;
  return 20 * Math.log10((2 ** bits - 1) / rmse);
}

