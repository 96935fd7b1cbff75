/**
 * What every command receives and how it ends. Commands never touch `process`: they read their
 * arguments, environment, working directory and standard input from a {@link CliIo}, write to its
 * streams and return an exit code. Tests run them in-process with captured streams; the entry
 * point is the only place that knows the real process.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A stream the commands write to: standard output or standard error. */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: the progress bar only draws there. */
  readonly isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

/** A command's view of the process. */
export interface CliIo {
  /** The arguments after the command name. */
  readonly argv: readonly string[];
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are read from. */
  readonly cwd: string;
  /** All of standard input, for `--body -`. */
  readonly readStdin: () => Promise<string>;
}

/** The command did what was asked and found nothing wrong. */
export const EXIT_OK = 0;
/** The command ran and found a problem (an invalid file, a failing row), or GitHub refused it. */
export const EXIT_FAILED = 1;
/** The command was called wrongly, or an input could not be read. */
export const EXIT_USAGE = 2;

/** A wrong invocation or an unreadable input: the message says what and how to fix it (exit 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure the command has already explained, or explains with this message (exit 1). */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
}

function isParseArgsError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

/**
 * Parses a command's arguments strictly with Node's built-in `util.parseArgs` (unknown options
 * and missing values are errors); a parse error becomes a {@link UsageError}.
 */
export function parseCommandLine<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** Writes a line. */
export function writeLine(stream: OutputStream, text = ""): void {
  stream.write(`${text}\n`);
}

/** The width to lay tables out in: the terminal's, or a wide default when the output is piped. */
export function outputWidth(stream: OutputStream): number {
  return stream.isTTY && stream.columns ? Math.max(stream.columns, 60) : 140;
}

/**
 * The time a command evaluates at: now, or the `--now` option's ISO time (for reproducible output).
 * @throws {UsageError} when the option is not a time.
 */
export function parseNowOption(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new UsageError(`--now must be an ISO 8601 time such as 2026-11-23T15:00:00Z (got "${text}").`);
  return new Date(time);
}
