/**
 * Configuration text to a value, within bounds that no tenant's file can exceed. The `yaml`
 * package's duplicate-key check compares each new key with every earlier one (100,000 keys took
 * about 100 s with the event loop blocked), so the app and the command line both refuse a file
 * above {@link CONFIG_SIZE_LIMIT} before parsing it, switch that check off and find duplicates
 * with one set per mapping instead, and cap aliases. A refusal is a configuration problem the
 * check run shows, never an exception.
 */
import { isMap, isScalar, parseDocument, visit, type YAMLError } from "yaml";
import type { ConfigProblem } from "./load.js";

/**
 * The largest configuration file read, in bytes (64 KiB). A complete configuration with every
 * key set is about 3 KiB; the limit leaves twenty times that and keeps the worst parse in
 * milliseconds.
 */
export const CONFIG_SIZE_LIMIT = 64 * 1024;
/** The most alias references (`*name`) a file may use: enough for sharing lists, too few to expand a "billion laughs". */
export const CONFIG_ALIAS_LIMIT = 50;
/** Longer lines are cut when a syntax error quotes them. */
const LINE_QUOTE_MAX = 80;

/** Parsed configuration text: the value, or the one problem that prevents reading it. */
export type ParsedConfig = { readonly ok: true; readonly config: unknown } | { readonly ok: false; readonly problem: ConfigProblem };

/** "64 KiB (65,536 bytes)". */
function sizeText(bytes: number): string {
  return `${bytes >= 1024 ? `${Math.floor(bytes / 1024)} KiB (${bytes.toLocaleString("en-US")} bytes)` : `${bytes} bytes`}`;
}

/** The problem of a file larger than {@link CONFIG_SIZE_LIMIT}, refused unread. */
export function tooLargeProblem(location: string, size: number): ConfigProblem {
  return {
    file: location,
    path: "(file)",
    expected: `a file of at most ${sizeText(CONFIG_SIZE_LIMIT)}, the limit Hotfix Guard reads`,
    found: `a file of ${sizeText(size)}: too large, not read`,
  };
}

function fileProblem(location: string, found: string): ConfigProblem {
  return { file: location, path: "(file)", expected: "valid YAML with a mapping at the top", found };
}

/** A YAML syntax error as the `found` of a problem: where, what, and the line it is on. */
function syntaxErrorText(error: YAMLError, text: string): string {
  const position = error.linePos?.[0];
  const what = error.message.split(/ at line \d+, column \d+/)[0]?.trim() ?? error.message;
  if (!position) return `YAML syntax error: ${what}`;
  const line = text.split(/\r?\n/, position.line)[position.line - 1] ?? "";
  const shown = line.length > LINE_QUOTE_MAX ? `${line.slice(0, LINE_QUOTE_MAX - 1)}…` : line;
  return `YAML syntax error at line ${position.line}, column ${position.col}: ${what} (the line reads ${JSON.stringify(shown)}, indentation and tabs included)`;
}

/** The first key that appears twice in one mapping, found in linear time. */
function firstDuplicateKey(document: ReturnType<typeof parseDocument>, text: string): string | null {
  let found: string | null = null;
  visit(document, {
    Map(_, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : `n:${String(pair.key)}`;
        if (seen.has(key)) {
          const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
          const line = text.slice(0, offset).split("\n").length;
          found = `the key ${JSON.stringify(isScalar(pair.key) ? String(pair.key.value) : String(pair.key))} appears twice in one mapping (again at line ${line})`;
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Parses configuration text as the app reads `.github/hotfix-guard.yml`: refused above the size
 * limit, an empty file is an empty mapping, a duplicate key or a syntax error is a problem on
 * the path `(file)`. Never throws; linear in the size of the text.
 * @param location - `owner/repo:path` or the local path, named by the problem.
 */
export function parseConfigText(text: string, location: string): ParsedConfig {
  const size = Buffer.byteLength(text, "utf8");
  if (size > CONFIG_SIZE_LIMIT) return { ok: false, problem: tooLargeProblem(location, size) };
  const document = parseDocument(text, { logLevel: "error", uniqueKeys: false, prettyErrors: true });
  const syntaxError = document.errors[0];
  if (syntaxError) return { ok: false, problem: fileProblem(location, syntaxErrorText(syntaxError, text)) };
  const duplicate = firstDuplicateKey(document, text);
  if (duplicate) return { ok: false, problem: fileProblem(location, `YAML error: ${duplicate}`) };
  try {
    const config: unknown = document.toJS({ maxAliasCount: CONFIG_ALIAS_LIMIT }) || {};
    return { ok: true, config };
  } catch (error) {
    return { ok: false, problem: fileProblem(location, `YAML error: ${(error as Error).message}`) };
  }
}
