export { run } from './program.js';
export type { RunOptions } from './program.js';
export { ExitCodes } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export type { CliIo, CommandContext, CommonOptions } from './context.js';
