import { UsageError } from './_usage-error.js';

/** Parses a 1-based frame number (`--frame 2`) into a 0-based index; undefined when not given. */
export function frameIndexOption(value: string | undefined, flag = '--frame'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} takes a frame number from 1, not "${value}"`);
  return n - 1;
}

/** Parses `1,3,5` or `2-4` lists of 1-based frame numbers into 0-based indexes. */
export function frameListOption(value: string | undefined, flag = '--frames'): number[] | undefined {
  if (value === undefined) return undefined;
  const out: number[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (from < 1 || to < from) throw new UsageError(`${flag}: "${part}" is not a range of frame numbers from 1`);
      for (let n = from; n <= to; n++) out.push(n - 1);
    } else {
      out.push(frameIndexOption(part, flag)!);
    }
  }
  if (out.length === 0) throw new UsageError(`${flag} names no frame`);
  return out;
}

/** Parses a number flag, or throws a usage error naming it. */
export function numberOption(value: string | undefined, flag: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new UsageError(`${flag} does not accept "${value}"`);
  return n;
}
