// Merges bench/.out/parse.json and bench/.out/cli.json into bench/.out/results.json and prints the
// Markdown table used in docs/benchmarks.md (operation, ours, peer, ratio, target, met?).
//
// usage: node bench/report.mjs [--dir bench/.out]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--dir');
const dir = resolve(i >= 0 ? process.argv[i + 1] : join(HERE, '.out'));
const load = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : null);
const parse = load('parse.json');
const cli = load('cli.json');

const fps = (x) => `${Math.round(x)} files/s`;
const cpu = (m) => (m.medianCpuS === null ? '' : `, CPU ${m.medianCpuS.toFixed(2)} s`);
const rows = [];
if (parse) {
  const byId = Object.fromEntries(parse.measurements.map((m) => [m.id, m]));
  for (const c of parse.comparisons) {
    const ours = byId[c.ours];
    const peer = byId[c.peer];
    rows.push({
      operation: `${c.operation} (${parse.data.files} CT files)`,
      ours: `${fps(ours.filesPerS)} (${ours.medianWallS.toFixed(3)} s${cpu(ours)}, RSS ${Math.round(ours.medianMaxRssKb / 1024)} MB)`,
      peer: `${peer.tool}: ${fps(peer.filesPerS)} (${peer.medianWallS.toFixed(3)} s${cpu(peer)}, RSS ${Math.round(peer.medianMaxRssKb / 1024)} MB)`,
      ratio: `${c.ratio.toFixed(2)}x`,
      target: c.target === null ? '-' : `>= ${c.target.toFixed(1)}x`,
      met: c.met === null ? '-' : c.met ? 'yes' : '**no**',
    });
  }
}
if (cli) {
  const ctx = Object.fromEntries(cli.rows.map((r) => [r.id, r]));
  const peer = ctx['dcmdump-one']?.available ? `dcmdump -M FILE: ${ctx['dcmdump-one'].medianMs.toFixed(0)} ms; bare node: ${ctx['node-bare']?.medianMs?.toFixed(0) ?? '?'} ms` : '-';
  for (const r of cli.rows.filter((x) => x.targetMs !== null)) {
    rows.push({
      operation: `\`${r.command}\` wall time`,
      ours: r.available ? `${r.medianMs.toFixed(0)} ms (RSS ${Math.round(r.maxRssKb / 1024)} MB)` : r.reason,
      peer,
      ratio: '-',
      target: `<= ${r.targetMs} ms`,
      met: r.available ? (r.met ? 'yes' : '**no**') : 'n/a',
    });
  }
}

writeFileSync(join(dir, 'results.json'), JSON.stringify({ generatedAt: new Date().toISOString(), parse, cli, table: rows }, null, 2) + '\n');
const cols = ['operation', 'ours', 'peer', 'ratio', 'target', 'met'];
process.stdout.write(`| ${['operation', 'ours (median)', 'peer (median)', 'ratio ours/peer', 'target', 'met?'].join(' | ')} |\n`);
process.stdout.write(`|${cols.map(() => '---').join('|')}|\n`);
for (const r of rows) process.stdout.write(`| ${cols.map((c) => r[c]).join(' | ')} |\n`);
process.stdout.write(`wrote ${join(dir, 'results.json')}\n`);
