// Lazy loading of the Emscripten codec modules. The state (the module promise and the lines it printed) lives in
// the object `createWasmModule` returns, which each codec object owns: nothing is loaded at import time, nothing
// is shared between codec objects, and a module that crashed is dropped so the next call loads a fresh one.
import { DicomError, type ErrorCode } from '@dicom-tools/core';

/** A loaded module with the text it printed since the last `takeLog()`. */
export interface WasmModule<T> {
  /** The module, loaded on first use. */
  readonly get: () => Promise<T>;
  /** The lines the module printed (openjpeg prints its errors) since the last call, and forgets them. */
  readonly takeLog: () => string[];
  /** Forgets the module: the next `get()` loads a new instance (after a crash that may have corrupted its heap). */
  readonly reset: () => void;
}

type Factory = (options: object) => Promise<unknown>;

/** Wraps an Emscripten factory loader so that the module loads once, on first use, with its output captured. */
export function createWasmModule<T>(load: () => Promise<{ default: Factory }>): WasmModule<T> {
  let module: Promise<T> | undefined;
  let log: string[] = [];
  const print = (text: string): void => void log.push(text);
  return {
    get: () => {
      module ??= load().then((m) => m.default({ print, printErr: print }) as Promise<T>);
      module.catch(() => {
        module = undefined;
      });
      return module;
    },
    takeLog: () => {
      const taken = log;
      log = [];
      return taken;
    },
    reset: () => {
      module = undefined;
      log = [];
    },
  };
}

/** The frame description the cornerstone codecs' embind classes take and return (getFrameInfo / getDecodedBuffer). */
export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

/** An object Emscripten's embind made, which must be deleted to free its WASM memory. */
export interface Deletable {
  delete(): void;
}

/**
 * Runs `work` with a new embind object, always deleting it. A failure (a C++ exception arrives as a bare number, a
 * WASM trap as a RuntimeError) becomes a DicomError with `code`; after a trap the module is reset.
 */
export async function withInstance<M, I extends Deletable, R>(wasm: WasmModule<M>, create: (module: M) => I, work: (instance: I) => R, code: ErrorCode, what: string): Promise<R> {
  const module = await wasm.get();
  wasm.takeLog();
  let instance: I | undefined;
  try {
    instance = create(module);
    return work(instance);
  } catch (error) {
    if (error instanceof DicomError) throw error;
    const trapped = error instanceof Error && error.name === 'RuntimeError';
    if (trapped) {
      wasm.reset();
      instance = undefined;
    }
    const detail = typeof error === 'number' ? 'the codec raised a C++ exception' : error instanceof Error ? error.message : String(error);
    const printed = wasm.takeLog().filter((line) => line.includes('ERROR')).join('; ');
    throw new DicomError(code, `${what}: ${detail}${printed !== '' ? ` (${printed})` : ''}`, { cause: error });
  } finally {
    try {
      instance?.delete();
    } catch {
      wasm.reset();
    }
  }
}
