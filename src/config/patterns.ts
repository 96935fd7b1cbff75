/**
 * Patterns from configuration are user text: they run on RE2 (re2js), which matches in linear
 * time, never on `new RegExp`. A pattern is either a `/regex/flags` or a path glob. Glob
 * libraries compile to backtracking JavaScript regexes with lookaheads RE2 rejects, so globs are
 * translated to RE2 syntax here (`**`, `*`, `?`, `[...]`, `{a,b}`).
 */
import { RE2JS } from "re2js";
import { LruMap } from "../lru.js";

/** A compiled pattern: `test` is true when the whole text matches (globs) or the regex is found (regexes). */
export interface Matcher {
  readonly source: string;
  test(text: string): boolean;
}

const REGEX_LITERAL = /^\/(.+)\/([imsu]*)$/s;

/**
 * How many compiled expressions are kept for reuse. Repositories mostly share their patterns (the
 * defaults, an organisation's `_extends` base), so a few hundred cover many thousand repositories.
 */
export const COMPILED_EXPRESSION_LIMIT = 256;
/** Compiled expressions by flags and source. */
const compiledExpressions = new LruMap<string, RE2JS>(COMPILED_EXPRESSION_LIMIT);

/**
 * `RE2JS.compile`, memoised: an expression compiled once is shared by every policy that uses it,
 * so the compiled programs in memory grow with the distinct patterns in use, not with the
 * repositories cached, and a configuration read again compiles nothing. At most
 * {@link COMPILED_EXPRESSION_LIMIT} are kept, the least recently used dropped first. A compiled
 * expression holds no match state between calls, so sharing it is safe.
 * @throws Error from RE2JS when the expression does not compile (nothing is kept then).
 */
export function compileRe2(expression: string, flags = 0): RE2JS {
  const key = `${flags}:${expression}`;
  const cached = compiledExpressions.get(key);
  if (cached) return cached;
  const compiled = RE2JS.compile(expression, flags);
  compiledExpressions.set(key, compiled);
  return compiled;
}

/** Converts `i`, `m`, `s` flags of a `/regex/flags` literal to RE2JS flag bits. */
function re2Flags(flags: string): number {
  let bits = 0;
  if (flags.includes("i")) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) bits |= RE2JS.MULTILINE;
  if (flags.includes("s")) bits |= RE2JS.DOTALL;
  return bits;
}

/** Escapes one character for use outside a character class in RE2 syntax. */
function escapeChar(char: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(char) ? `\\${char}` : char;
}

/**
 * Translates a path glob to an anchored RE2 expression.
 * @throws Error with a readable reason when the glob is malformed (unclosed `[` or `{`).
 */
export function globToRe2(glob: string): string {
  return `^${translateGlob(glob, false, true)}$`;
}

/**
 * Translates a text glob (a commit message's first line, not a path) to an anchored RE2
 * expression: `*` and `?` match any character, `/` included, so `hotfix(*): *` accepts a
 * description such as `fix a/b rounding`.
 * @throws Error with a readable reason when the glob is malformed.
 */
export function textGlobToRe2(glob: string): string {
  return `^${translateGlob(glob, false, false)}$`;
}

function translateGlob(glob: string, insideBraces: boolean, paths: boolean): string {
  let out = "";
  let i = 0;
  while (i < glob.length) {
    const char = glob[i] as string;
    if (char === "*" && !paths) {
      out += ".*";
      i += glob[i + 1] === "*" ? 2 : 1;
    } else if (char === "?" && !paths) {
      out += ".";
      i += 1;
    } else if (char === "*") {
      if (glob[i + 1] === "*") {
        const atSegmentStart = i === 0 || glob[i - 1] === "/";
        const followedBySlash = glob[i + 2] === "/";
        const atEnd = i + 2 === glob.length;
        if (atSegmentStart && followedBySlash) {
          out += "(?:.*/)?";
          i += 3;
          continue;
        }
        if (atSegmentStart && atEnd && i > 0) {
          out = out.slice(0, -1) + "(?:/.*)?";
          i += 2;
          continue;
        }
        out += ".*";
        i += 2;
        continue;
      }
      out += "[^/]*";
      i += 1;
    } else if (char === "?") {
      out += "[^/]";
      i += 1;
    } else if (char === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) throw new Error(`unclosed "[" at position ${i + 1}`);
      let body = glob.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      const escaped = body.replace(/[\\\]^]/g, (c) => `\\${c}`);
      out += negated ? `[^${paths ? "/" : ""}${escaped}]` : `[${escaped}]`;
      i = close + 1;
    } else if (char === "{") {
      const close = matchingBrace(glob, i);
      if (close === -1) throw new Error(`unclosed "{" at position ${i + 1}`);
      const alternatives = splitTopLevel(glob.slice(i + 1, close));
      out += `(?:${alternatives.map((alt) => translateGlob(alt, true, paths)).join("|")})`;
      i = close + 1;
    } else if (char === "\\" && i + 1 < glob.length) {
      out += escapeChar(glob[i + 1] as string);
      i += 2;
    } else {
      if (!insideBraces && char === "}") throw new Error(`unmatched "}" at position ${i + 1}`);
      out += escapeChar(char);
      i += 1;
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "{") depth += 1;
    else if (text[i] === "}") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === "{") depth += 1;
    else if (body[i] === "}") depth -= 1;
    else if (body[i] === "," && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/**
 * Compiles a configured pattern: `/regex/flags` runs unanchored on RE2, anything else is a glob
 * matched against the whole text.
 * @throws Error whose message says what is wrong with the pattern.
 */
export function compilePattern(pattern: string): Matcher {
  const literal = REGEX_LITERAL.exec(pattern);
  if (literal) {
    const re = compileRe2(literal[1] as string, re2Flags(literal[2] as string));
    return { source: pattern, test: (text) => re.test(text) };
  }
  const re = compileRe2(globToRe2(pattern));
  return { source: pattern, test: (text) => re.matches(text) };
}

/**
 * Turns a compiler into a validator for the config schema: the validator returns what the value
 * should have been and why it does not compile, or null when it compiles.
 */
export function problemFinder(compile: (value: string) => unknown, what: (value: string) => string): (value: string) => string | null {
  return (value) => {
    try {
      compile(value);
      return null;
    } catch (error) {
      return `a valid ${what(value)} (${(error as Error).message})`;
    }
  };
}

/**
 * Compiles a pattern for a line of text (a commit message's first line): `/regex/flags` as in
 * {@link compilePattern}, anything else a text glob ({@link textGlobToRe2}).
 * @throws Error whose message says what is wrong with the pattern.
 */
export function compileTextPattern(pattern: string): Matcher {
  if (REGEX_LITERAL.test(pattern)) return compilePattern(pattern);
  const re = compileRe2(textGlobToRe2(pattern));
  return { source: pattern, test: (text) => re.matches(text) };
}

/** A glob character class that reads like a procedure's `[placeholder]` (`[scope]`, `[brief description]`). */
const PLACEHOLDER_CLASS = /\[(?![!^])([A-Za-z][A-Za-z -]{2,}[A-Za-z])\]/;

/**
 * Why a commit-subject pattern does not compile or cannot mean what its author meant, or null.
 * A glob copied from a procedure's template (`hotfix([scope]): [brief description]`) compiles,
 * but each `[...]` is a character class matching one letter, so it would never match a message.
 */
export function commitPatternProblem(pattern: string): string | null {
  const compiled = problemFinder(compileTextPattern, (value) => (REGEX_LITERAL.test(value) ? "regular expression (RE2 syntax)" : "glob"))(pattern);
  if (compiled || REGEX_LITERAL.test(pattern)) return compiled;
  const placeholder = PLACEHOLDER_CLASS.exec(pattern);
  if (!placeholder) return null;
  const suggestion = pattern.replace(new RegExp(PLACEHOLDER_CLASS.source, "g"), "*");
  return `a glob with \`*\` where the text varies, such as \`${suggestion}\` (in a glob \`${placeholder[0]}\` is a character class matching one letter, not a placeholder)`;
}

/** Why a configured pattern does not compile, or null. */
export const patternProblem = problemFinder(compilePattern, (value) =>
  REGEX_LITERAL.test(value) ? "regular expression (RE2 syntax)" : "glob",
);

/** True when any of the matchers matches the text. */
export function matchesAny(matchers: readonly Matcher[], text: string): boolean {
  return matchers.some((matcher) => matcher.test(text));
}

const FORMAT_PLACEHOLDERS: Record<string, string> = {
  number: "[0-9]+",
  url: "https?://[^\\s()<>]+",
  key: "[A-Za-z0-9][A-Za-z0-9-]*",
};

/**
 * Compiles a reference format such as `INC-{number}` or a `/regex/` to a matcher that finds the
 * format anywhere in a text.
 * @throws Error naming an unknown placeholder or the regex syntax error.
 */
export function compileReferenceFormat(format: string): Matcher {
  if (REGEX_LITERAL.test(format)) return compilePattern(format);
  let expression = "";
  let last = 0;
  for (const found of format.matchAll(/\{([^{}]*)\}/g)) {
    const placeholder = FORMAT_PLACEHOLDERS[found[1] as string];
    if (!placeholder) throw new Error(`unknown placeholder {${found[1]}}: use {number}, {url} or {key}`);
    expression += RE2JS.quote(format.slice(last, found.index)) + placeholder;
    last = found.index + found[0].length;
  }
  expression += RE2JS.quote(format.slice(last));
  const re = compileRe2(expression, RE2JS.CASE_INSENSITIVE);
  return { source: format, test: (text) => re.test(text) };
}

/** Why a reference format does not compile, or null. */
export const referenceFormatProblem = problemFinder(compileReferenceFormat, () => "reference format");
