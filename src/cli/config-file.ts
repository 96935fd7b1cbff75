/**
 * A configuration file read from disk and judged exactly as the app judges the one it fetches:
 * refused above the same size limit and parsed by the same bounded parser (an empty file is an
 * empty mapping), then merged over the defaults and validated by `resolveConfig`, so the problems
 * are the ones the check run would show. Offline there is no organisation `.github` repository to fall back on
 * and no `_extends` to fetch; a file with `_extends` is validated on its own, and says so.
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { resolveConfig, unusableConfig, type ConfigFile, type ConfigResult } from "../config/load.js";
import { CONFIG_SIZE_LIMIT, parseConfigText, tooLargeProblem } from "../config/parse.js";
import { UsageError } from "./io.js";

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

function extendsNote(value: unknown): string {
  const target = typeof value === "string" ? value : JSON.stringify(value);
  return `\`_extends: ${target}\` is not followed offline: this file was validated on its own, over the defaults. The app merges it over that base, so the base's own keys are only checked by the app.`;
}

/**
 * Judges configuration text as the app would if it were `.github/hotfix-guard.yml` on the default
 * branch. Never throws: a syntax error is a problem on the path `(file)`.
 * @param floor - the organisation's `.github` file read for its floor, and the repository's owner
 * (`preview --config`); without it no floor applies.
 */
export function judgeConfigText(text: string, location: string, floor?: { readonly file: ConfigFile; readonly owner: string }): LocalConfig {
  const read = parseConfigText(text, location);
  if (!read.ok) return { location, result: unusableConfig(read.problem), notes: [] };
  const parsed = read.config;
  const notes: string[] = [];
  if (text.trim() === "") notes.push("The file is empty: the app applies the defaults.");
  let config = parsed;
  if (isPlainObject(parsed) && "_extends" in parsed) {
    const { _extends: base, ...own } = parsed;
    notes.push(extendsNote(base));
    config = own;
  }
  return { location, result: floor ? resolveConfig([{ location, config }, floor.file], floor.owner) : resolveConfig([{ location, config }]), notes };
}

/**
 * Reads and judges a configuration file (with the organisation floor, when given; see {@link judgeConfigText}).
 * @throws {UsageError} when the file cannot be read.
 */
export async function readLocalConfig(path: string, cwd: string, floor?: { readonly file: ConfigFile; readonly owner: string }): Promise<LocalConfig> {
  const size = await stat(resolve(cwd, path)).then(
    (stats) => (stats.isFile() ? stats.size : 0),
    () => 0,
  );
  if (size > CONFIG_SIZE_LIMIT) return { location: path, result: unusableConfig(tooLargeProblem(path, size)), notes: [] };
  return judgeConfigText(await readInputFile(path, cwd, "configuration file"), path, floor);
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
