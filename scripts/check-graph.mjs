#!/usr/bin/env node
// Fails when the package graph breaks the house star shape (STYLE.md):
//   core <- {anonymize, transcode, volume, network, batch} <- cli, test-fixtures -> core.
// Checks both package.json dependencies and the actual imports in src/, and any dependency cycle.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgsDir = join(root, 'packages');
const SIBLINGS = new Set(['anonymize', 'transcode', 'volume', 'network', 'batch']);
const problems = [];

function allowed(from, to, { test }) {
  if (from === to) return false;
  if (to === 'test-fixtures') return test || from === 'test-fixtures';
  if (from === 'core') return false;
  if (SIBLINGS.has(from)) return to === 'core';
  if (from === 'test-fixtures') return to === 'core';
  if (from === 'cli') return to === 'core' || SIBLINGS.has(to);
  return to === 'core';
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const packages = readdirSync(pkgsDir).filter((d) => existsSync(join(pkgsDir, d, 'package.json')));
const edges = new Map();
for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(pkgsDir, dir, 'package.json'), 'utf8'));
  const declared = new Set();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const dep of Object.keys(pkg[field] ?? {})) {
      if (!dep.startsWith('@dicom-tools/')) continue;
      const to = dep.slice('@dicom-tools/'.length);
      declared.add(to);
      if (!allowed(dir, to, { test: false })) problems.push(`${pkg.name} declares ${dep} in ${field}: not allowed by the star shape`);
    }
  }
  edges.set(dir, declared);
  const src = join(pkgsDir, dir, 'src');
  if (!existsSync(src)) continue;
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8');
    const test = /\.test\.ts$/.test(file);
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      const where = relative(root, file);
      if (spec.startsWith('@dicom-tools/')) {
        const to = spec.slice('@dicom-tools/'.length).split('/')[0];
        if (to === dir) problems.push(`${where} imports its own package by name (${spec}): use a relative import`);
        else if (!allowed(dir, to, { test })) problems.push(`${where} imports ${spec}: sibling packages must not import each other`);
        else if (!test && !declared.has(to)) problems.push(`${where} imports ${spec}, which ${pkg.name} does not declare`);
        if (spec.split('/').length > 2) problems.push(`${where} imports a deep path ${spec}: use the package's index`);
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(join(pkgsDir, dir) + '/')) problems.push(`${where} reaches outside its package with ${spec}`);
      }
    }
  }
}

// Cycles in declared dependencies (depth-first search).
const state = new Map();
function visit(node, stack) {
  state.set(node, 'active');
  for (const next of edges.get(node) ?? []) {
    if (state.get(next) === 'active') problems.push(`dependency cycle: ${[...stack, node, next].join(' -> ')}`);
    else if (!state.has(next)) visit(next, [...stack, node]);
  }
  state.set(node, 'done');
}
for (const node of edges.keys()) if (!state.has(node)) visit(node, []);

if (problems.length) {
  for (const p of problems) console.error(`check-graph: ${p}`);
  process.exit(1);
}
console.log(`check-graph: ${packages.length} packages, star shape holds, no cycles`);
