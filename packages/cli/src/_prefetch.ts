// Reads an async iterator ahead into memory, so that the number of inputs is known long before the batch reaches
// the last one (the progress bar's total and ETA). The iterable it gives never closes the source, so what was not
// taken (a cancelled batch) can still be listed with `rest`.

/** An iterator read ahead, see {@link prefetch}. */
export interface Prefetched<T> {
  /** The items, in order; ending this iteration early does not close the source. */
  readonly items: AsyncIterable<T>;
  /** How many items were read from the source so far, and whether that is all of them. */
  counted(): { readonly count: number; readonly complete: boolean };
  /** The items `items` has not given, read to the end of the source. */
  rest(): AsyncIterable<T>;
}

/** Wraps `source`; with `eager`, a background loop reads it to its end as fast as it yields. */
export function prefetch<T>(source: AsyncIterator<T>, options: { readonly eager: boolean }): Prefetched<T> {
  const buffer: T[] = [];
  let head = 0;
  let count = 0;
  let complete = false;
  let failure: { readonly error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let pumping: Promise<void> | undefined;

  const pump = async (): Promise<void> => {
    try {
      for (;;) {
        const next = await source.next();
        if (next.done === true) break;
        buffer.push(next.value);
        count++;
        wake?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      complete = true;
      wake?.();
    }
  };
  if (options.eager) pumping = pump();

  const next = async (): Promise<IteratorResult<T, undefined>> => {
    if (pumping === undefined) {
      const n = await source.next();
      if (n.done === true) complete = true;
      else count++;
      return n.done === true ? { done: true, value: undefined } : n;
    }
    while (head === buffer.length && !complete) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    if (head < buffer.length) {
      const value = buffer[head] as T;
      buffer[head++] = undefined as T; // let it be collected
      if (head > 4096 && head * 2 > buffer.length) {
        buffer.splice(0, head);
        head = 0;
      }
      return { done: false, value };
    }
    if (failure !== undefined) throw failure.error;
    return { done: true, value: undefined };
  };

  return {
    items: { [Symbol.asyncIterator]: () => ({ next }) },
    counted: () => ({ count, complete }),
    rest: () => ({ [Symbol.asyncIterator]: () => ({ next }) }),
  };
}
