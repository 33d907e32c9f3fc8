// calculateStatistics and histogram against numpy (the peer) on pydicom's pixel_array: CT_small in Hounsfield
// units (apply_modality_lut) without its Pixel Padding Value, and SC_rgb_small_odd per channel.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { corpusFile } from '@dicom-tools/test-fixtures';
import { calculateStatistics, createDataset, decodeFrame, getFrame, histogram, readDicomFile, type ChannelStatistics } from './index.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import sys, json, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut
def stats(v):
    v = v.astype(float)
    return {'total': int(v.size), 'sum': float(v.sum()), 'min': float(v.min()), 'max': float(v.max()), 'mean': float(v.mean()),
            'median': float(np.median(v)), 'variance': float(v.var()), 'std': float(v.std()),
            'percentiles': {f'p{q}': float(np.percentile(v, q)) for q in [1, 5, 25, 75, 95, 99]},
            'unique': int(np.unique(v).size), 'zeroCount': int((v == 0).sum())}
ct = pydicom.dcmread(sys.argv[1])
stored = ct.pixel_array
hu = apply_modality_lut(stored, ct)[stored != ct.PixelPaddingValue]
counts, edges = np.histogram(hu, bins=50)
counts_range, edges_range = np.histogram(hu, bins=7, range=(-200, 300))
rgb = pydicom.dcmread(sys.argv[2]).pixel_array
print(json.dumps({'ct': stats(hu), 'padding': int((stored == ct.PixelPaddingValue).sum()),
    'ctStored': stats(stored), 'hist': {'counts': counts.tolist(), 'edges': edges.tolist()},
    'histRange': {'counts': counts_range.tolist(), 'edges': edges_range.tolist()},
    'rgb': [stats(rgb[..., c]) for c in range(3)]}))
`;

interface PeerStats {
  readonly total: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  readonly variance: number;
  readonly std: number;
  readonly percentiles: Record<string, number>;
  readonly unique: number;
  readonly zeroCount: number;
}

interface Peer {
  readonly ct: PeerStats;
  readonly ctStored: PeerStats;
  readonly padding: number;
  readonly hist: { counts: number[]; edges: number[] };
  readonly histRange: { counts: number[]; edges: number[] };
  readonly rgb: PeerStats[];
}

function runPeer(): Peer {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3-pydicom and python3-numpy`);
  const result = spawnSync(PYTHON, ['-c', SCRIPT, corpusFile('CT_small.dcm'), corpusFile('SC_rgb_small_odd.dcm')], { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`numpy failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Peer;
}

function expectMatches(actual: ChannelStatistics, expected: PeerStats): void {
  const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
  expect([actual.total, actual.unique, actual.zeroCount, actual.min, actual.max]).toEqual([expected.total, expected.unique, expected.zeroCount, expected.min, expected.max]);
  for (const key of ['sum', 'mean', 'median', 'variance', 'std'] as const) close(actual[key], expected[key]);
  for (const [key, value] of Object.entries(expected.percentiles)) close(actual.percentiles[key as 'p1'], value);
  close(actual.iqr, expected.percentiles['p75']! - expected.percentiles['p25']!);
  close(actual.range, expected.max - expected.min);
  close(actual.zeroPercent, (expected.zeroCount / expected.total) * 100);
}

describe('calculateStatistics and histogram agree with numpy', () => {
  let peer: Peer;
  beforeAll(() => {
    peer = runPeer();
  });

  it('gives CT statistics in Hounsfield units by default, without the Pixel Padding Value', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const stats = calculateStatistics(await decodeFrame(file, 0), { dataset: file.dataset });
    expect(stats.units).toBe('modality');
    expect(stats.excluded).toBe(peer.padding);
    expect(stats.channels).toHaveLength(1);
    expectMatches(stats.channels[0]!, peer.ct);
  });

  it('gives stored values, padding included, when asked', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const stats = calculateStatistics(getFrame(file.dataset, 0), { dataset: file.dataset, units: 'stored', excludePadding: false });
    expect([stats.units, stats.excluded]).toEqual(['stored', 0]);
    expectMatches(stats.channels[0]!, peer.ctStored);
  });

  it('gives one set of statistics per colour channel', async () => {
    const file = await readDicomFile(corpusFile('SC_rgb_small_odd.dcm'));
    const stats = calculateStatistics(getFrame(file.dataset, 0), { dataset: file.dataset });
    expect(stats.channels).toHaveLength(3);
    stats.channels.forEach((channel, i) => expectMatches(channel, peer.rgb[i]!));
  });

  it('honours the bin count and range as numpy.histogram does', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    const frame = getFrame(file.dataset, 0);
    const fifty = histogram(frame, { dataset: file.dataset, bins: 50 });
    expect(fifty.counts).toEqual(peer.hist.counts);
    fifty.edges.forEach((edge, i) => expect(edge).toBeCloseTo(peer.hist.edges[i]!, 9));
    const ranged = histogram(frame, { dataset: file.dataset, bins: 7, range: [-200, 300] });
    expect(ranged.counts).toEqual(peer.histRange.counts);
    expect(ranged.total).toBe(peer.histRange.counts.reduce((a, b) => a + b, 0));
  });

  it('rejects a bin count that is not a positive integer with CORE_INVALID_VALUE', async () => {
    const file = await readDicomFile(corpusFile('CT_small.dcm'));
    expect(() => histogram(getFrame(file.dataset, 0), { bins: 0 })).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
    expect(() => histogram(getFrame(createDataset(file.dataset.elements.values()), 0), { bins: 2.5 })).toThrow(expect.objectContaining({ code: 'CORE_INVALID_VALUE' }));
  });
});
