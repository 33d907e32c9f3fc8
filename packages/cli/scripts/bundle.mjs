// Bundles the `dicom-tools` executable after tsc has built dist/: start-up matters for a command that runs once
// per job (`dicom-tools nifti` takes ~0.2 s in all, and loading ~150 ES modules of our packages one by one cost
// ~40 ms of it). bin.js and the worker-thread entries are written over tsc's as bundles of our own code
// (@dicom-tools/* and this package), split into shared chunks under dist/_chunks so each command still loads
// only what it uses; every third-party package stays an ordinary import from node_modules. dist/index.js (the
// library API of this package) and the .d.ts files are left as tsc wrote them.
// A third-party import in the bundle is resolved from this package, so each one must be a dependency of
// @dicom-tools/cli at the version the package using it declares: checked below, the build fails otherwise.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const src = join(root, 'src');
// Entry points (from the sources, so that a rebuild never bundles a bundle); the worker entries are looked up
// beside bin.js by file name at run time.
const entries = ['bin.ts', '_anonymize-worker.ts', '_batch-worker.ts', '_transcode-worker.ts', 'commands/_network-scp-worker.ts'];

rmSync(join(dist, '_chunks'), { recursive: true, force: true });
const result = await build({
  metafile: true,
  entryPoints: entries.map((entry) => join(src, entry)),
  outdir: dist,
  outbase: src,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: '_chunks/[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
  // One resolution for every file: our packages' built dist through node_modules. (The packages' own tsconfig.json
  // map @dicom-tools/core to its sources for type-checking; applied to their dist files, that put a second copy of
  // core into the bundle, with its own DicomError class and a second 700 KB dictionary to compile at start-up.)
  tsconfigRaw: '{}',
  plugins: [
    {
      name: 'third-party-external',
      setup(context) {
        // Bare specifiers other than our packages (commander, the codecs, sql.js, node: built-ins...) stay imports.
        context.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@dicom-tools/') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});

// Every third-party package the bundle imports must resolve from here, at the version its user declares.
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const own = readJson(join(root, 'package.json')).dependencies ?? {};
const declared = new Map();
for (const name of ['core', 'anonymize', 'transcode', 'volume', 'network', 'batch']) {
  for (const [dep, version] of Object.entries(readJson(join(root, '..', name, 'package.json')).dependencies ?? {})) declared.set(dep, version);
}
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const problems = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const { path, external } of output.imports) {
    if (!external || path.startsWith('node:') || builtinModules.includes(path)) continue;
    const name = packageOf(path);
    if (own[name] === undefined) problems.add(`${name} is imported by the bundle but is not a dependency of @dicom-tools/cli`);
    else if (declared.has(name) && declared.get(name) !== own[name]) problems.add(`${name}: @dicom-tools/cli has ${own[name]}, a bundled package declares ${declared.get(name)}`);
  }
}
if (problems.size > 0) throw new Error(`bundle.mjs: ${[...problems].join('; ')}`);
