import { DicomError, isDicomError, type DicomFile } from '@dicom-tools/core';
import { identify, scanInstance, scanInstanceSync, type InstanceSource } from './_instance-source.js';
import { createReadScratch, preparePlan, sendInstance, type StoreResult, type TranscodeFunction } from './_send-instance.js';
import { onAssociation, type Target } from './_target.js';
import { openAssociation, ScuAssociation } from './association.js';
import type { AssociateOptions, ContextRequest } from './peer.js';
import { NATIVE_TRANSFER_SYNTAXES } from './sop-classes.js';

export type { StoreResult, TranscodeFunction } from './_send-instance.js';

/** Options of {@link store}. */
export interface StoreOptions extends AssociateOptions {
  /** Parallel associations sharing the files (default 1). Ignored when the target is an open association. */
  readonly associations?: number;
  /** Converts a file whose syntax the peer refuses (a codec from @dicom-tools/transcode). Without it such a file fails. */
  readonly transcode?: TranscodeFunction;
  /** Called after each instance, in completion order. */
  readonly onProgress?: (result: StoreResult, done: number, total: number) => void;
  /** C-STORE priority: 0 medium (default), 1 high, 2 low. */
  readonly priority?: number;
}

/** What {@link store} did, instance by instance (in input order), with counts by outcome. */
export interface StoreReport {
  readonly results: readonly StoreResult[];
  /** Instances the peer stored with status success. */
  readonly succeeded: number;
  /** Instances stored with a warning status. */
  readonly warnings: number;
  /** Instances refused by the peer, or not sent. */
  readonly failed: number;
}

type Item = { readonly index: number; readonly source: InstanceSource | DicomFile };

/** The presentation contexts for a set of instances: each SOP class in each of its files' syntaxes, plus native fallbacks. */
export function storageContexts(instances: ReadonlyArray<{ sopClassUid: string; transferSyntaxUid: string }>): ContextRequest[] {
  const byClass = new Map<string, Set<string>>();
  for (const i of instances) {
    const set = byClass.get(i.sopClassUid) ?? new Set<string>();
    set.add(i.transferSyntaxUid);
    byClass.set(i.sopClassUid, set);
  }
  const contexts: ContextRequest[] = [];
  for (const [sopClass, syntaxes] of byClass) {
    for (const ts of syntaxes) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: [ts] });
    if (!NATIVE_TRANSFER_SYNTAXES.every((ts) => syntaxes.has(ts))) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: NATIVE_TRANSFER_SYNTAXES });
  }
  return contexts;
}

/** Splits items into groups whose contexts fit one association (128 presentation contexts). */
function groups(items: readonly Item[]): Item[][] {
  if (storageContexts(items.map(describe)).length <= 128) return [[...items]];
  const byClass = new Map<string, Item[]>();
  for (const item of items) {
    const key = 'dataset' in item.source ? identify(item.source).sopClassUid : item.source.sopClassUid;
    byClass.set(key, [...(byClass.get(key) ?? []), item]);
  }
  const out: Item[][] = [];
  let current: Item[] = [];
  let count = 0;
  for (const members of byClass.values()) {
    const n = storageContexts(members.map(describe)).length;
    if (count + n > 128 && current.length > 0) {
      out.push(current);
      current = [];
      count = 0;
    }
    current.push(...members);
    count += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function describe(item: Item): { sopClassUid: string; transferSyntaxUid: string } {
  return 'dataset' in item.source ? identify(item.source) : item.source;
}

/**
 * Sends instances (file paths or in-memory files) with C-STORE: over one association, or several in parallel
 * (`associations`), proposing a presentation context per SOP class and file syntax plus native fallbacks.
 * A file's own bytes are sent unchanged when the peer accepts its syntax. Every instance gets a result; a
 * refused or unreadable one does not stop the others. Throws only when no association can be opened.
 */
export async function store(target: Target, files: Iterable<string | DicomFile> | AsyncIterable<string | DicomFile>, options: StoreOptions = {}): Promise<StoreReport> {
  const inputs: Array<string | DicomFile> = [];
  for await (const f of files) inputs.push(f);
  const results: Array<StoreResult | undefined> = new Array<StoreResult | undefined>(inputs.length);
  let done = 0;
  const finish = (index: number, result: StoreResult): void => {
    results[index] = result;
    done++;
    options.onProgress?.(result, done, inputs.length);
  };
  // Scan the files' heads (a few small blocking reads each; 8 at a time when one needs the async reader), keeping the input order.
  const scanned: Array<Item | undefined> = new Array<Item | undefined>(inputs.length);
  let cursor = 0;
  const scanner = async (): Promise<void> => {
    for (let index = cursor++; index < inputs.length; index = cursor++) {
      const input = inputs[index]!;
      try {
        if (typeof input === 'string') scanned[index] = { index, source: scanInstanceSync(input) ?? (await scanInstance(input)) };
        else {
          identify(input);
          scanned[index] = { index, source: input };
        }
      } catch (error) {
        if (!isDicomError(error)) throw error;
        finish(index, { ...(typeof input === 'string' ? { file: input } : {}), sopClassUid: '', sopInstanceUid: '', transferSyntaxUid: '', error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, inputs.length) }, scanner));
  const items = scanned.filter((i): i is Item => i !== undefined);
  const sendOptions = { ...(options.transcode ? { transcode: options.transcode } : {}), ...(options.priority !== undefined ? { priority: options.priority } : {}) };
  if (target instanceof ScuAssociation) {
    for (const item of items) finish(item.index, await sendInstance(target, item.source, sendOptions));
  } else if (items.length > 0) {
    if ('release' in target) throw new DicomError('CORE_INVALID_VALUE', 'the association was not opened by this package');
    for (const group of groups(items)) {
      const contexts = storageContexts(group.map(describe));
      const queue = [...group];
      const workers = Math.max(1, Math.min(options.associations ?? 1, queue.length));
      let firstError: unknown;
      const worker = async (): Promise<void> => {
        while (queue.length > 0) {
          let association: ScuAssociation;
          try {
            association = await openAssociation(target, contexts, options);
          } catch (error) {
            firstError ??= error;
            return;
          }
          try {
            // While one instance is in flight, the next one is read (its plan prepared), into the other of two
            // buffers this association reuses.
            const sending = { ...sendOptions, scratch: createReadScratch() };
            let next = queue.shift();
            let nextPlan = next ? preparePlan(association, next.source, sending) : undefined;
            while (next !== undefined) {
              const current = next;
              const currentPlan = nextPlan;
              const following = queue.shift();
              next = following;
              nextPlan = undefined;
              // Read once the current instance is handed to the socket, while the peer stores it.
              const prefetch = (): void => {
                if (following && !nextPlan) nextPlan = preparePlan(association, following.source, sending);
              };
              try {
                finish(current.index, await sendInstance(association, current.source, sending, currentPlan, prefetch));
                prefetch();
              } catch (error) {
                if (next) queue.unshift(next);
                if (!isDicomError(error)) throw error;
                finish(current.index, { ...('dataset' in current.source ? {} : { file: current.source.path }), ...pick(current), transferSyntaxUid: '', error });
                association.abort();
                if (options.signal?.aborted === true) throw error;
                break;
              }
            }
          } finally {
            await association.release();
          }
        }
      };
      const before = done;
      await Promise.all(Array.from({ length: workers }, worker));
      if (queue.length > 0) {
        if (options.signal?.aborted === true) throw new DicomError('CORE_ABORTED', 'the store was aborted', { cause: options.signal.reason });
        if (done === before) throw firstError;
        const error = isDicomError(firstError) ? firstError : new DicomError('NET_CONNECT_FAILED', String(firstError));
        for (const item of queue.splice(0)) finish(item.index, { ...('dataset' in item.source ? {} : { file: item.source.path }), ...pick(item), transferSyntaxUid: '', error });
      }
    }
  }
  const final = results.map((r) => r!);
  return {
    results: final,
    succeeded: final.filter((r) => r.status?.category === 'success').length,
    warnings: final.filter((r) => r.status?.category === 'warning').length,
    failed: final.filter((r) => r.status === undefined || r.status.category === 'failure' || r.status.category === 'cancel').length,
  };
}

function pick(item: Item): { sopClassUid: string; sopInstanceUid: string } {
  const d = 'dataset' in item.source ? identify(item.source) : item.source;
  return { sopClassUid: d.sopClassUid, sopInstanceUid: d.sopInstanceUid };
}

/** Stores one instance on an open association (see {@link store}). */
export async function storeOne(target: Target, file: string | DicomFile, options: StoreOptions = {}): Promise<StoreResult> {
  const source = typeof file === 'string' ? await scanInstance(file) : file;
  const contexts = storageContexts([describe({ index: 0, source })]);
  return onAssociation(target, contexts, options, (a) => sendInstance(a, source, options.transcode ? { transcode: options.transcode } : {}));
}
