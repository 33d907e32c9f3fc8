// V8's optimising compiler (TurboFan), told to stop inlining, for the commands that run one short, hot piece of code
// over many files (`anonymize DIR`, `batch anonymize`). Such a run is mostly over before the code would pay back the
// time spent compiling it with inlining: on 2 cores the compiler threads took ~0.25 s of CPU from the ~0.6 s run of
// 1,000 files. Measured (bench/anonymize-js.mjs --v8-flags "--no-turbo-inlining", 7 fresh processes): the first pass
// over 1,000 files 163 -> 140 ms and 278 -> 226 ms of process CPU, the warm pass 90 -> 81 ms; `anonymize DIR` of the
// same files into tmpfs 0.600 -> 0.545 s (docs/benchmarks.md, session 4). `batch anonymize` runs the same task code.
// A process-wide flag, so the CLI (the program) sets it, never a library; it changes how fast, not what, code runs.
import { setFlagsFromString } from 'node:v8';

/** Turns TurboFan's inlining off for the rest of this process (worker threads included). */
export function inlineLess(): void {
  setFlagsFromString('--no-turbo-inlining');
}
