// Bundles the `dicom-tools` executable after tsc has built dist/: start-up matters for a command that runs once
// per job (`dicom-tools nifti` takes ~0.2 s in all, and loading ~150 ES modules of our packages one by one cost
// ~40 ms of it). bin.js and the worker-thread entries are written over tsc's as bundles of our own code
// (@dicom-tools/* and this package), split into shared chunks under dist/_chunks so each command still loads
// only what it uses; every third-party package stays an ordinary import from node_modules. dist/index.js (the
// library API of this package) and the .d.ts files are left as tsc wrote them.
// The hottest paths are built whole instead, each into one file of its own (STANDALONE below): `dicom-tools
// anonymize` (run once per job over a folder: its start-up is part of every benchmark against gdcmanon), its
// worker thread, and `dicom-tools info` (the command most often run on one file). Shared chunks cost them twice:
// on Node 20 each extra ES module costs ~0.5-1 ms to resolve, read and link (anonymize loaded 11 files of ours),
// and a chunk holds every file that any command sharing it reaches through a package's index (anonymize compiled
// all of core and batch, 1.1 MB, where it uses 0.7 MB). Each costs ~0.65 MB on disk.
// A third-party import in the bundle is resolved from this package, so each one must be a dependency of
// @dicom-tools/cli at the version the package using it declares: checked below, the build fails otherwise.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const src = join(root, 'src');
// Entry points (from the sources, so that a rebuild never bundles a bundle); the worker entries are looked up
// beside bin.js by file name at run time.
const entries = ['bin.ts', '_batch-worker.ts', '_transcode-worker.ts', 'commands/_network-scp-worker.ts'];
// Built whole, one file each. A command is written under _commands/ (not over tsc's commands/, which dist/index.js's
// program.js imports) and program.ts's import of it is pointed there. Our modules that bin.js has loaded already
// (exit codes, UsageError, error lines) are imported from bin.js's chunks rather than copied, so that a UsageError
// the command throws is the class program.ts tests for.
const STANDALONE = [
  { entry: 'commands/anonymize.ts', out: '_commands/anonymize.js', importedBy: 'program.ts' },
  { entry: '_anonymize-worker.ts', out: '_anonymize-worker.js' },
  { entry: 'commands/info.ts', out: '_commands/info.js', importedBy: 'program.ts' },
  { entry: 'commands/nifti.ts', out: '_commands/nifti.js', importedBy: 'program.ts' },
];

// Bare specifiers other than our packages (commander, the codecs, sql.js, node: built-ins...) stay imports.
const thirdPartyExternal = {
  name: 'third-party-external',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@dicom-tools/') ? undefined : { path: args.path, external: true }));
  },
};
const options = {
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // One resolution for every file: our packages' built dist through node_modules. (The packages' own tsconfig.json
  // map @dicom-tools/core to its sources for type-checking; applied to their dist files, that put a second copy of
  // core into the bundle, with its own DicomError class and a second 700 KB dictionary to compile at start-up.)
  tsconfigRaw: '{}',
};
/** `to` as a relative import specifier from a module written in folder `from`. */
const specifierFrom = (from, to) => {
  const path = relative(from, to).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

rmSync(join(dist, '_chunks'), { recursive: true, force: true });
rmSync(join(dist, '_commands'), { recursive: true, force: true });
const result = await build({
  ...options,
  entryPoints: entries.map((entry) => join(src, entry)),
  outdir: dist,
  outbase: src,
  allowOverwrite: true,
  splitting: true,
  chunkNames: '_chunks/[name]-[hash]',
  plugins: [
    thirdPartyExternal,
    {
      name: 'standalone-commands',
      setup(context) {
        // program.ts is bundled into bin.js (checked below), so the standalone command is at this path from it.
        for (const { entry, out, importedBy } of STANDALONE) {
          if (importedBy === undefined) continue;
          context.onResolve({ filter: /^\./ }, (args) =>
            args.importer === join(src, importedBy) && resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === join(src, entry)
              ? { path: specifierFrom(dist, join(dist, out)), external: true }
              : undefined);
        }
      },
    },
  ],
});

// Where the main build put our modules: program.ts must be in bin.js, and the chunks bin.js imports are shared.
const fromCwd = (path) => resolve(path);
const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({ path: fromCwd(path), output }));
const binOutput = outputs.find(({ path }) => path === join(dist, 'bin.js'));
if (binOutput === undefined || !Object.keys(binOutput.output.inputs).some((input) => fromCwd(input) === join(src, 'program.ts'))) {
  throw new Error('bundle.mjs: program.ts is not in dist/bin.js, so its import of the standalone commands would not resolve');
}
const sharedChunkOf = new Map();
for (const { path: chunk, kind } of binOutput.output.imports) {
  if (kind !== 'import-statement' || chunk.startsWith('node:')) continue;
  const found = outputs.find(({ path }) => path === fromCwd(chunk));
  for (const input of Object.keys(found?.output.inputs ?? {})) sharedChunkOf.set(fromCwd(input), fromCwd(chunk));
}

const metafiles = [result.metafile];
for (const { entry, out } of STANDALONE) {
  const outfile = join(dist, out);
  const standalone = await build({
    ...options,
    entryPoints: [join(src, entry)],
    outfile,
    plugins: [
      thirdPartyExternal,
      {
        name: 'shared-with-bin',
        setup(context) {
          context.onResolve({ filter: /^\./ }, (args) => {
            const chunk = sharedChunkOf.get(resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
            return chunk === undefined ? undefined : { path: specifierFrom(dirname(outfile), chunk), external: true };
          });
        },
      },
    ],
  });
  metafiles.push(standalone.metafile);
}
// A command imports bin.js's chunks by the names it gave its imports: loading it checks that every one is exported.
// (Commands do no work when imported; the worker entries do, and import no shared chunk.)
for (const { out, importedBy } of STANDALONE) if (importedBy !== undefined) await import(pathToFileURL(join(dist, out)).href);

// The executable's first file, dist/bin.cjs (src/launch.ts): CommonJS, so that it runs before the ES module loader
// starts libuv's thread pool and can still size it; it loads bin.js with import(), left as it is.
await build({
  ...options,
  format: 'cjs',
  entryPoints: [join(src, 'launch.ts')],
  outfile: join(dist, 'bin.cjs'),
  banner: { js: '#!/usr/bin/env node' },
  plugins: [{ name: 'bin-external', setup: (context) => context.onResolve({ filter: /^\.\/bin\.js$/ }, (args) => ({ path: args.path, external: true })) }],
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
for (const output of metafiles.flatMap((metafile) => Object.values(metafile.outputs))) {
  for (const { path, external } of output.imports) {
    if (!external || path.startsWith('.') || path.startsWith('node:') || builtinModules.includes(path)) continue;
    const name = packageOf(path);
    if (own[name] === undefined) problems.add(`${name} is imported by the bundle but is not a dependency of @dicom-tools/cli`);
    else if (declared.has(name) && declared.get(name) !== own[name]) problems.add(`${name}: @dicom-tools/cli has ${own[name]}, a bundled package declares ${declared.get(name)}`);
  }
}
if (problems.size > 0) throw new Error(`bundle.mjs: ${[...problems].join('; ')}`);
