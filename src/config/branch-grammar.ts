/**
 * Branch-name grammars such as `hotfix/v{version}-{slug}`: literal text with placeholders.
 * A grammar compiles to an RE2 expression that captures each placeholder loosely (any slug-ish
 * text), so that the branch-name rule can say *what* is wrong with a part ("the slug must be
 * lowercase") instead of only "does not match".
 */
import { RE2JS } from "re2js";
import { problemFinder } from "./patterns.js";

/** The placeholders a branch grammar may use. */
export type Placeholder = "version" | "date" | "time" | "slug";

const PLACEHOLDER_PATTERNS: Record<Placeholder, string> = {
  version: "[0-9]+\\.[0-9]+\\.[0-9]+",
  date: "[0-9]{8}",
  time: "[0-9]{4}",
  slug: ".+",
};

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A compiled grammar. */
export interface BranchGrammar {
  readonly source: string;
  readonly placeholders: readonly Placeholder[];
  /** The captured placeholder values when the branch has this grammar's shape, else null. */
  match(branch: string): Partial<Record<Placeholder, string>> | null;
  /** The grammar with each placeholder replaced by the given value. */
  fill(values: Record<Placeholder, string>): string;
}

function isPlaceholder(name: string): name is Placeholder {
  return Object.hasOwn(PLACEHOLDER_PATTERNS, name);
}

/**
 * Compiles a grammar.
 * @throws Error naming the unknown or repeated placeholder.
 */
export function compileGrammar(source: string): BranchGrammar {
  const placeholders: Placeholder[] = [];
  let expression = "^";
  let last = 0;
  for (const found of source.matchAll(PLACEHOLDER)) {
    const name = found[1] as string;
    if (!isPlaceholder(name)) {
      throw new Error(`unknown placeholder {${name}}: use {version}, {date}, {time} or {slug}`);
    }
    if (placeholders.includes(name)) throw new Error(`placeholder {${name}} appears twice`);
    placeholders.push(name);
    expression += RE2JS.quote(source.slice(last, found.index)) + `(?P<${name}>${PLACEHOLDER_PATTERNS[name]})`;
    last = found.index + found[0].length;
  }
  const tail = source.slice(last);
  if (/[{}]/.test(tail) || /[{}]/.test(source.replace(PLACEHOLDER, ""))) {
    throw new Error("unbalanced { or }: placeholders are written {version}, {date}, {time} or {slug}");
  }
  expression += RE2JS.quote(tail) + "$";
  const re = RE2JS.compile(expression);
  return {
    source,
    placeholders,
    match(branch) {
      const groups = (re.exec(branch) as RegExpExecArray | null)?.groups;
      if (!groups) return null;
      const values: Partial<Record<Placeholder, string>> = {};
      for (const name of placeholders) values[name] = groups[name] ?? "";
      return values;
    },
    fill(values) {
      return source.replace(PLACEHOLDER, (_, name: Placeholder) => values[name]);
    },
  };
}

/** Why a branch grammar does not compile, or null. Used by the config schema. */
export const grammarProblem = problemFinder(compileGrammar, () => "branch name grammar");
