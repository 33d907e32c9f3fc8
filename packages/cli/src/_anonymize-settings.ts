import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { anonymize, parseProfileOption, type ProfileOptionName } from '@dicom-tools/anonymize';
import { createDataset, isDicomError } from '@dicom-tools/core';
import { UsageError } from './_usage-error.js';

/** The anonymize flags of `anonymize` and `batch anonymize`. */
export interface AnonymizeFlags {
  /** The secret keying UIDs, pseudonyms and date shifts. */
  readonly secret?: string;
  /** A file holding the secret (one trailing newline is ignored). */
  readonly secretFile?: string;
  /** `basic` or `seed`. */
  readonly profile?: string;
  /** PS3.15 options by name (repeatable; each entry may hold several, comma-separated). */
  readonly option?: readonly string[];
  /** Prefix of the patient pseudonym. */
  readonly patientPrefix?: string;
  /** `MIN..MAX` days for retainLongitudinalModifiedDates. */
  readonly dateShiftRange?: string;
}

/** The checked anonymize flags. */
export interface AnonymizeSettings {
  readonly secret: string | Uint8Array;
  readonly secretSource: 'given' | 'file' | 'random';
  readonly profile: 'basic' | 'seed';
  readonly options: ProfileOptionName[];
  readonly patientPrefix?: string;
  readonly dateShiftRange?: [number, number];
}

/**
 * Reads and checks the anonymize flags shared by `anonymize` and `batch anonymize` (the secret, from the flag, the
 * file, or random; profile; options by name; pseudonym prefix; date shift range). Throws a UsageError for bad flags,
 * before any file is read.
 */
export async function anonymizeSettingsOf(options: AnonymizeFlags): Promise<AnonymizeSettings> {
  if (options.secret !== undefined && options.secretFile !== undefined) throw new UsageError('give either --secret or --secret-file, not both');
  let secret: string | Uint8Array;
  let secretSource: AnonymizeSettings['secretSource'];
  if (options.secretFile !== undefined) {
    let text: string;
    try {
      text = await readFile(options.secretFile, 'utf8');
    } catch (error) {
      throw new UsageError(`${options.secretFile}: cannot read the secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
    }
    secret = text.replace(/\r?\n$/, '');
    secretSource = 'file';
  } else if (options.secret !== undefined) {
    secret = options.secret;
    secretSource = 'given';
  } else {
    secret = randomBytes(32);
    secretSource = 'random';
  }
  if (secret.length === 0) throw new UsageError('the secret is empty');
  const profile = options.profile ?? 'basic';
  if (profile !== 'basic' && profile !== 'seed') throw new UsageError(`unknown profile "${profile}": use basic or seed`);
  const selected: ProfileOptionName[] = [];
  for (const entry of options.option ?? []) {
    for (const name of entry.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      try {
        selected.push(parseProfileOption(name));
      } catch (error) {
        throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
      }
    }
  }
  if (selected.includes('retainLongitudinalFullDates') && selected.includes('retainLongitudinalModifiedDates')) {
    throw new UsageError('retainLongitudinalFullDates and retainLongitudinalModifiedDates exclude each other: choose one');
  }
  let dateShiftRange: [number, number] | undefined;
  if (options.dateShiftRange !== undefined) {
    const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(options.dateShiftRange);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--date-shift-range must be MIN..MAX whole days, MIN <= MAX (e.g. -3650..-365), not "${options.dateShiftRange}"`);
    dateShiftRange = [Number(m[1]), Number(m[2])];
  }
  const settings: AnonymizeSettings = {
    secret, secretSource, profile, options: selected,
    ...(options.patientPrefix !== undefined ? { patientPrefix: options.patientPrefix } : {}),
    ...(dateShiftRange !== undefined ? { dateShiftRange } : {}),
  };
  try {
    anonymize(createDataset(), settings); // the library's own checks of the options, before any file is read
  } catch (error) {
    throw new UsageError(isDicomError(error) ? error.message : String(error), { cause: error });
  }
  return settings;
}
