import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder of real DICOM files made by other tools (a copy of shared/corpus, see corpus/README.md).
 * Found by walking up from the working directory to the repository's packages/test-fixtures/corpus, so it
 * works from jest (CommonJS), from the built ESM code and from benchmarks alike.
 */
export function corpusDir(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'packages', 'test-fixtures', 'corpus');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    if (existsSync(join(dir, 'corpus', 'README.md')) && existsSync(join(dir, 'package.json')) && dir.endsWith('test-fixtures')) return join(dir, 'corpus');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`corpus not found above ${from}`);
    dir = parent;
  }
}

/** Absolute path of one corpus file, e.g. `corpusFile('CT_small.dcm')`. */
export function corpusFile(name: string): string {
  return join(corpusDir(), name);
}

/** Names of every `.dcm` file in the corpus, sorted. */
export function corpusFiles(): string[] {
  return readdirSync(corpusDir()).filter((f) => f.endsWith('.dcm')).sort();
}

/** Corpus files that a reader must reject, with the error code it must give. */
export const CORPUS_REJECTS: Readonly<Record<string, string>> = {
  'MR_truncated.dcm': 'CORE_TRUNCATED',
  // One stray byte (0x20) before an explicit VR little endian data set: DCMTK's dcmdump rejects it too.
  'no_meta.dcm': 'CORE_NOT_DICOM',
};

/** Absolute path of one of the peer helper scripts kept in packages/test-fixtures/peers (see its README). */
export function peerScript(name: 'make_corpus.py' | 'peer_py.py'): string {
  return join(corpusDir(), '..', 'peers', name);
}
