import type { DataElement } from '@dicom-tools/core';
import type { KeyedMemo } from './_keyed.js';
import { createScrubberCache, type ScrubberCache } from './_scrub.js';

/**
 * Work that {@link anonymize} can reuse from one data set to the next, for a caller that anonymizes many (a
 * folder, a series): the free-text scrubber compiled for a set of identifying values (the files of one series
 * repeat the same names, IDs and dates), the keyed patient pseudonyms and date shifts, the de-identification
 * markers of the options. Make one per batch with {@link createAnonymizeCache} and pass it as the `cache` option
 * of every call; results are the same with or without it (a call with another secret empties what was keyed by
 * the one before). It holds identifying values (PHI) and the secret for as long as the caller keeps it, and a
 * bounded number of entries.
 */
export interface AnonymizeCache {
  /** Compiled scrubbers by the identifying values they were made from (internal: its shape may change). */
  readonly scrubbers: ScrubberCache;
  /** Keyed values by what they were made of, under one secret (internal: its shape may change). */
  readonly keyed: KeyedMemo;
  /** The de-identification markers of a data set that had none, by profile, options and dates (internal). */
  readonly markers: Map<string, readonly DataElement[]>;
}

/** An empty {@link AnonymizeCache}. */
export function createAnonymizeCache(): AnonymizeCache {
  return { scrubbers: createScrubberCache(), keyed: { secret: undefined, values: new Map() }, markers: new Map() };
}
