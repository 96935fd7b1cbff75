/**
 * A configuration file read from disk and judged exactly as the app judges the one it fetches:
 * parsed with the same `yaml` package and options (an empty file is an empty mapping), then
 * merged over the defaults and validated by `resolveConfig`, so the problems are the ones the
 * check run would show. Offline there is no organisation `.github` repository to fall back on
 * and no `_extends` to fetch; a file with `_extends` is validated on its own, and says so.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseDocument, type YAMLError } from "yaml";
import { resolveConfig, unreadableConfig, type ConfigResult } from "../config/load.js";
import { UsageError } from "./io.js";

/** Longer lines are cut when a syntax error quotes them. */
const LINE_QUOTE_MAX = 80;

/** A configuration file as judged offline. */
export interface LocalConfig {
  /** The path as the user gave it; the problems name it. */
  readonly location: string;
  readonly result: ConfigResult;
  /** What the user should know beyond the problems, such as an `_extends` that was not followed. */
  readonly notes: readonly string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A YAML syntax error as the `found` of a problem: where, what, and the line it is on. */
function syntaxErrorText(error: YAMLError, text: string): string {
  const position = error.linePos?.[0];
  const what = error.message.split(/ at line \d+, column \d+/)[0]?.trim() ?? error.message;
  if (!position) return `YAML syntax error: ${what}`;
  const line = text.split(/\r?\n/)[position.line - 1] ?? "";
  const shown = line.length > LINE_QUOTE_MAX ? `${line.slice(0, LINE_QUOTE_MAX - 1)}…` : line;
  return `YAML syntax error at line ${position.line}, column ${position.col}: ${what} (the line reads ${JSON.stringify(shown)}, indentation and tabs included)`;
}

function extendsNote(value: unknown): string {
  const target = typeof value === "string" ? value : JSON.stringify(value);
  return `\`_extends: ${target}\` is not followed offline: this file was validated on its own, over the defaults. The app merges it over that base, so the base's own keys are only checked by the app.`;
}

/**
 * Judges configuration text as the app would if it were `.github/hotfix-guard.yml` on the default
 * branch. Never throws: a syntax error is a problem on the path `(file)`.
 */
export function judgeConfigText(text: string, location: string): LocalConfig {
  const document = parseDocument(text, { logLevel: "error" });
  const syntaxError = document.errors[0];
  if (syntaxError) return { location, result: unreadableConfig(location, syntaxErrorText(syntaxError, text)), notes: [] };
  const parsed: unknown = document.toJS() || {};
  const notes: string[] = [];
  if (text.trim() === "") notes.push("The file is empty: the app applies the defaults.");
  let config = parsed;
  if (isPlainObject(parsed) && "_extends" in parsed) {
    const { _extends: base, ...own } = parsed;
    notes.push(extendsNote(base));
    config = own;
  }
  return { location, result: resolveConfig([{ location, config }]), notes };
}

/**
 * Reads and judges a configuration file.
 * @throws {UsageError} when the file cannot be read.
 */
export async function readLocalConfig(path: string, cwd: string): Promise<LocalConfig> {
  return judgeConfigText(await readInputFile(path, cwd, "configuration file"), path);
}

/**
 * Reads a text file named on the command line, relative to `cwd`.
 * @param what - what the file is, for the message (`configuration file`, `body file`).
 * @throws {UsageError} saying why the file cannot be read.
 */
export async function readInputFile(path: string, cwd: string, what: string): Promise<string> {
  const absolute = resolve(cwd, path);
  try {
    return await readFile(absolute, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") throw new UsageError(`cannot read the ${what} ${path}: there is no such file (looked for ${absolute}). Check the path.`);
    if (code === "EISDIR") throw new UsageError(`cannot read the ${what} ${path}: it is a directory. Give the path of the file itself.`);
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}
