/**
 * Branch-name grammars such as `hotfix/v{version}-{slug}`: literal text with placeholders.
 * A grammar compiles to an RE2 expression that captures each placeholder loosely (any slug-ish
 * text), so that the branch-name rule can say *what* is wrong with a part ("the slug must be
 * lowercase") instead of only "does not match".
 */
import { RE2JS } from "re2js";
import { compileRe2, problemFinder } from "./patterns.js";

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
  const re = compileRe2(expression);
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

/** A wall-clock moment as a branch name writes it: `{date}` YYYYMMDD and `{time}` HHMM. */
export interface WallClock {
  readonly date: string;
  readonly time: string;
}

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(zone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    wallClockFormats.set(zone, format);
  }
  return format;
}

/**
 * The date and time an instant reads on a clock in an IANA time zone (`date +%Y%m%d-%H%M` with
 * `TZ` set to it). The zone was validated by the config schema.
 */
export function wallClockIn(instant: Date, zone: string): WallClock {
  const parts = Object.fromEntries(wallClockFormat(zone).formatToParts(instant).map((part) => [part.type, part.value]));
  const year = String(parts.year).padStart(4, "0");
  return { date: `${year}${parts.month}${parts.day}`, time: `${parts.hour}${parts.minute}` };
}

function wallClockAsUtc(clock: WallClock): number {
  const { date, time } = clock;
  const instant = new Date(0);
  instant.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  instant.setUTCHours(Number(time.slice(0, 2)), Number(time.slice(2, 4)), 0, 0);
  return instant.getTime();
}

/**
 * The instant at which a clock in the zone read the given valid date and time. A time that a
 * daylight-saving change skips or repeats resolves to one of the instants around it.
 */
export function instantOfWallClock(clock: WallClock, zone: string): number {
  const asUtc = wallClockAsUtc(clock);
  const offsetAt = (instant: number) => wallClockAsUtc(wallClockIn(new Date(instant), zone)) - instant;
  const first = asUtc - offsetAt(asUtc);
  const second = asUtc - offsetAt(first);
  return Math.min(first, second);
}
