import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { UsageError } from '../_usage-error.js';

/** Flags of `dicom-tools contract`. */
export interface ContractOptions {
  /** The request: a JSON file, or `-` (the default) for standard input. */
  readonly request?: string;
}

/** The seed's adapter request. */
export interface ContractRequest {
  /** A command name or its seed alias (`info`, `to_image`, `batch_anonymize`, `organize_by_series`...). */
  readonly op: string;
  /** The input path (or paths). */
  readonly input?: string | readonly string[];
  /** The output path, passed as `-o`. */
  readonly output?: string;
  /** Flags by option name (`windowCenter` or `window-center`): true for a switch, an array for a repeatable flag. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The answer, as the seed's multi-backend adapters expect it. */
export interface ContractAnswer {
  readonly ok: boolean;
  readonly returncode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Files the operation created or rewrote under `output` (sorted). */
  readonly output_files: string[];
  /** The operation's --json output, parsed (an array for NDJSON), or null. */
  readonly metadata: unknown;
  readonly backend: 'node';
  readonly operation: string;
}

/** The commands that take no --json flag (contract itself is not offered). */
const NO_JSON = new Set(['contract']);

function kebab(name: string): string {
  return name.replace(/_/g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The argv of a request: OP INPUT... [-o OUTPUT] [--flag value]... --json. */
export function requestArgv(request: ContractRequest): string[] {
  const argv = [request.op];
  if (typeof request.input === 'string') argv.push(request.input);
  else if (Array.isArray(request.input)) argv.push(...(request.input as string[]));
  if (request.output !== undefined) argv.push('-o', request.output);
  for (const [name, value] of Object.entries(request.options ?? {})) {
    const flag = `--${kebab(name)}`;
    if (value === true) argv.push(flag);
    else if (value === false) argv.push(`--no-${kebab(name)}`);
    else if (value === null || value === undefined) continue;
    else if (Array.isArray(value)) for (const v of value) argv.push(flag, typeof v === 'string' ? v : JSON.stringify(v));
    else argv.push(flag, typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value));
  }
  if (!NO_JSON.has(request.op) && !argv.includes('--json')) argv.push('--json');
  return argv;
}

function parseRequest(text: string): ContractRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the request is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const r = value as Partial<ContractRequest> | null;
  if (r === null || typeof r !== 'object' || typeof r.op !== 'string' || r.op === '') throw new UsageError('the request must be an object with "op" (and "input", "output", "options")');
  if (r.input !== undefined && typeof r.input !== 'string' && !(Array.isArray(r.input) && r.input.every((i) => typeof i === 'string'))) throw new UsageError('"input" must be a path or an array of paths');
  if (r.output !== undefined && typeof r.output !== 'string') throw new UsageError('"output" must be a path');
  if (r.options !== undefined && (typeof r.options !== 'object' || r.options === null || Array.isArray(r.options))) throw new UsageError('"options" must be an object');
  return r as ContractRequest;
}

/** Every file under `path` (a file or a folder) with a signature that changes when the file is replaced or rewritten. */
async function snapshot(path: string | undefined): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (path === undefined) return found;
  const visit = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => undefined);
    if (s === undefined) return;
    if (s.isDirectory()) {
      for (const name of await readdir(p)) await visit(join(p, name));
    } else if (s.isFile()) {
      found.set(p, `${s.ino}:${s.size}:${s.mtimeMs}`);
    }
  };
  await visit(path);
  return found;
}

function metadataOf(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const lines = text.split('\n');
    try {
      return lines.map((l) => JSON.parse(l) as unknown);
    } catch {
      return null;
    }
  }
}

/**
 * `dicom-tools contract [--request FILE|-]`: runs one operation described as `{ op, input, output, options }` and
 * prints `{ ok, returncode, stdout, stderr, output_files, metadata, backend: "node", operation }`, so that the
 * seed's multi-backend adapters can call us. The operation runs in this process with its output captured; it
 * gets `--json`. Exit 0 when an answer was printed (even with ok=false), 2 for a malformed request.
 */
export async function runContract(options: ContractOptions, context: CommandContext, runArgv: (argv: readonly string[], io: CommandContext['io']) => Promise<number>): Promise<number> {
  const source = options.request ?? '-';
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`${source}: cannot read the request (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const request = parseRequest(text);
  if (request.op === 'contract') throw new UsageError('"contract" cannot be the op of a contract request');
  let stdout = '';
  let stderr = '';
  const before = await snapshot(request.output);
  const returncode = await runArgv(requestArgv(request), { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  const answer: ContractAnswer = {
    ok: returncode === ExitCodes.ok,
    returncode,
    stdout,
    stderr,
    output_files: [...(await snapshot(request.output))].filter(([path, signature]) => before.get(path) !== signature).map(([path]) => path).sort(),
    metadata: metadataOf(stdout),
    backend: 'node',
    operation: request.op,
  };
  context.io.stdout(`${JSON.stringify(answer)}\n`);
  return ExitCodes.ok;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
