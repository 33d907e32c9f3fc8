// The `dicom-tools` executable (built by scripts/bundle.mjs into dist/bin.cjs, package.json's "bin"): a CommonJS
// first file, so that it runs before Node's ES module loader starts libuv's thread pool, sizes the pool to the
// machine (_thread-pool.ts), then loads the program (bin.js), which does the rest.
import { availableParallelism } from 'node:os';
import { threadPoolSize } from './_thread-pool.js';

const size = threadPoolSize(availableParallelism(), process.env);
if (size !== undefined) process.env['UV_THREADPOOL_SIZE'] = String(size);
void import('./bin.js');
