// An uncompressed NIfTI file written straight from the DICOM files: the header, then each frame's stored bytes read
// from its file into a reused chunk, written to a temporary file beside the output in a few large blocking
// writes, and renamed into place. The volume is never held in memory (nor is any file whole), and each file is read
// once more after its header: only its frame bytes.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileSystemError } from '@dicom-tools/core';
import { checkAborted } from './_abort.js';
import { frameBytes } from './_assemble.js';
import { nativePixelValue, readFully, type PixelValueRange } from './_pixel-range.js';
import { turn, YIELD_EVERY, type SeriesPlan } from './_read-series.js';

/** Bytes gathered before each write: few system calls, little memory. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** A temporary path beside `path`, in the same folder so that a rename replaces the output in one step. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array, length: number): void {
  let at = 0;
  while (at < length) at += writeSync(fd, bytes, at, length - at);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // a failure to close a file only read from loses nothing
  }
}

/** The open input file the frames come from, one at a time. */
interface Source {
  readonly input: number;
  readonly fd: number;
  readonly value: PixelValueRange;
}

/**
 * Writes `head` then the stored bytes of every planned frame, in voxel order, to `path` (atomically). Every
 * frame must be stored as it is (`storedAsPlanned`) and the placements must cover the voxels end to end. Returns
 * false, leaving nothing behind, when a file's Pixel Data turns out not to be native or is too short: the caller
 * then goes the in-memory way, which decodes or reports it.
 */
export async function streamNifti(path: string, head: Uint8Array, planned: SeriesPlan, signal: AbortSignal | undefined): Promise<boolean> {
  const { files, headers, placements } = planned;
  const largest = placements.reduce((max, p) => Math.max(max, frameBytes(p.slice)), 0);
  // Not zeroed: only the bytes filled from the header and the files are ever written.
  const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, head.length + largest));
  chunk.set(head);
  let filled = head.length;
  const temp = tempPathFor(path);
  let out: number | undefined;
  let source: Source | undefined;
  let done = false;
  try {
    try {
      out = openSync(temp, 'wx');
    } catch (error) {
      throw fileSystemError(error, path, 'cannot write');
    }
    for (const [n, placement] of placements.entries()) {
      const { slice } = placement;
      if (n % YIELD_EVERY === 0) {
        await turn();
        checkAborted(signal, 'NIfTI writing');
      }
      if (source?.input !== slice.input) {
        if (source !== undefined) closeSync(source.fd);
        source = undefined;
        const file = files[slice.input]!;
        try {
          const fd = openSync(file, 'r');
          const value = nativePixelValue(fd, headers[slice.input]!, fstatSync(fd).size);
          if (value === undefined) {
            closeSync(fd);
            return false;
          }
          source = { input: slice.input, fd, value };
        } catch (error) {
          throw fileSystemError(error, file, 'cannot read');
        }
      }
      const size = frameBytes(slice);
      if ((slice.frame + 1) * size > source.value.length) return false;
      if (filled + size > chunk.length) {
        writeAll(out, chunk, filled);
        filled = 0;
      }
      let read: number;
      try {
        read = readFully(source.fd, chunk, filled, size, source.value.start + slice.frame * size);
      } catch (error) {
        throw fileSystemError(error, files[slice.input]!, 'cannot read');
      }
      if (read < size) return false;
      filled += size;
    }
    writeAll(out, chunk, filled);
    closeSync(out);
    out = undefined;
    renameSync(temp, path);
    done = true;
    return true;
  } catch (error) {
    throw fileSystemError(error, path, 'cannot write');
  } finally {
    if (source !== undefined) closeQuietly(source.fd);
    if (out !== undefined) closeQuietly(out);
    if (!done) {
      try {
        unlinkSync(temp);
      } catch {
        // not created, or already gone
      }
    }
  }
}
