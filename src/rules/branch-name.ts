/**
 * Hotfix branch names. The teams name hotfix branches by convention (`hotfix/v1.2.1-…`,
 * `hotfix/emergency-YYYYMMDD-HHMM`, `hotfix/critical-issue`), and a convention only helps when its
 * meaning holds: the version really is the next patch, the emergency timestamp is a real and recent
 * moment (UTC, or the configured `hotfix.timezone`), the slug is short lowercase kebab-case. This module checks a name against the
 * configured grammars, says which part is wrong, and suggests a corrected name that passes the same
 * check. The pull-request rule and the branch-created handler share it.
 *
 * Branch names are hostile input: they only meet the RE2-compiled grammars of the policy and
 * linear scans, never a regular expression built from text.
 */
import semver from "semver";
import { instantOfWallClock, wallClockIn, type BranchGrammar, type Placeholder, type WallClock } from "../config/branch-grammar.js";
import type { Policy } from "../config/policy.js";
import { excerpt, inlineCode as code, listInProse } from "./excerpt.js";
import type { Finding, Rule } from "./types.js";

const RULE = "branch-name";
const TITLE = "Branch name";
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Stands for the version when no `vX.Y.Z` tag says what it should be. */
const VERSION_PLACEHOLDER = "X.Y.Z";
const FALLBACK_SLUG_WORDS = ["describe", "the", "fix"];
/** How far in the future an emergency timestamp may be, for a developer's clock running fast. */
const CLOCK_SKEW_MS = 5 * 60_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Longer branch names are quoted cut; real ones are far shorter. */
const BRANCH_QUOTE_MAX = 255;
const PART_QUOTE_MAX = 60;

type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** The latest release and the version the next hotfix must carry. */
interface Release {
  readonly tag: string;
  readonly version: string;
  readonly nextPatch: string;
}

/** Everything a check needs besides the branch name. */
interface CheckContext {
  readonly policy: Policy;
  readonly release: Release | null;
  readonly now: Date;
}

/** A part of a branch name whose meaning is checked; the emergency date and time are one part. */
type Part = "version" | "moment" | "slug";

/** The verdict on one part of a branch name. */
interface PartVerdict {
  readonly part: Part;
  readonly passed: boolean;
  /** On a pass, what was verified; on a fail, what is wrong. */
  readonly finding: string;
  /** What the policy expects of the part. */
  readonly expectation: string;
}

/** A grammar whose shape the branch has, with a verdict on each part. */
interface Assessment {
  readonly grammar: BranchGrammar;
  readonly values: PlaceholderValues;
  readonly verdicts: readonly PartVerdict[];
  readonly problems: readonly PartVerdict[];
}

/** A corrected name and what the developer must know about it. */
interface Suggestion {
  readonly name: string;
  readonly notes: readonly string[];
}

// ── Quoting ────────────────────────────────────────────────────────────────────────────────────

function quoteBranch(branch: string): string {
  return code(excerpt(branch, BRANCH_QUOTE_MAX));
}

function quotePart(text: string): string {
  return code(excerpt(text, PART_QUOTE_MAX));
}

/** A shell word: bare when it is plainly safe, single-quoted otherwise (`$(…)` is valid in a ref name). */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function duration(ms: number): string {
  const minutes = Math.floor(Math.max(ms, 0) / MINUTE_MS);
  return minutes < 60 ? plural(minutes, "minute") : plural(Math.floor(minutes / 60), "hour");
}

// ── The hotfix prefix, tolerating slips ────────────────────────────────────────────────────────

function isSeparator(char: string | undefined): boolean {
  return char === "/" || char === "-" || char === "_" || char === ".";
}

/** Where `word` ends when the branch spells it at `start` loosely (`Hot-Fix`, `hotfixes`); null when it does not. */
function looseWordEnd(branch: string, start: number, word: string): number | null {
  let at = start;
  for (let i = 0; i < word.length; i += 1) {
    if (i > 0 && (branch[at] === "-" || branch[at] === "_")) at += 1;
    if (branch[at]?.toLowerCase() !== word[i]) return null;
    at += 1;
  }
  if (branch.slice(at, at + 2).toLowerCase() === "es" && isSeparator(branch[at + 2])) return at + 2;
  if (branch[at]?.toLowerCase() === "s" && isSeparator(branch[at + 1])) return at + 1;
  return at;
}

/** The length of the hotfix prefix at the start of the branch, as written (slips included); null when absent. */
function writtenPrefixLength(branch: string, prefix: string): number | null {
  if (branch.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) return prefix.length;
  const words = prefix.toLowerCase().split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  if (words.length === 0) return null;
  let at = 0;
  for (const [index, word] of words.entries()) {
    if (index > 0) {
      if (!isSeparator(branch[at])) return null;
      at += 1;
    }
    const end = looseWordEnd(branch, at, word);
    if (end === null) return null;
    at = end;
  }
  if (!isSeparator(prefix[prefix.length - 1])) return at;
  return isSeparator(branch[at]) ? at + 1 : null;
}

/**
 * The branch without its (possibly mis-spelt) hotfix prefix. A branch without one loses its first
 * path segment instead, which names another kind of branch (`feature/`, `bugfix/`).
 */
function textAfterPrefix(branch: string, prefix: string): string {
  const prefixLength = writtenPrefixLength(branch, prefix);
  if (prefixLength !== null) return branch.slice(prefixLength);
  const slash = branch.indexOf("/");
  return slash > 0 && slash < branch.length - 1 ? branch.slice(slash + 1) : branch;
}

// ── Meaning of the parts ───────────────────────────────────────────────────────────────────────

/** The release a `vX.Y.Z` tag names; null when there is no tag or it is not a version. */
function releaseOf(latestVersionTag: string | null): Release | null {
  const version = latestVersionTag === null ? null : semver.valid(latestVersionTag);
  if (latestVersionTag === null || version === null) return null;
  const nextPatch = semver.inc(version, "patch");
  return nextPatch !== null && isVersion(nextPatch) ? { tag: latestVersionTag, version, nextPatch } : null;
}

function isVersion(text: string): boolean {
  return semver.valid(text) === text;
}

/** Why a version that is not the next patch is wrong, in a few words. */
function versionMismatch(found: string, release: Release): string {
  const order = semver.compare(found, release.version);
  if (order < 0) return `is older than the latest tag ${code(release.tag)}`;
  if (order === 0) return `is already released as ${code(release.tag)}`;
  const change = semver.diff(release.version, found);
  return change === "patch" ? "skips ahead of the next patch" : `is a ${change ?? "version"} bump, and a hotfix only bumps the patch`;
}

function versionVerdict(found: string, context: CheckContext): PartVerdict {
  const { release } = context;
  const follows = context.policy.config.hotfix.version_follows_latest_tag;
  if (!isVersion(found)) {
    return {
      part: "version",
      passed: false,
      finding: `version ${quotePart(found)} is not a valid X.Y.Z version (numbers without leading zeros)`,
      expectation: follows && release ? `version ${release.nextPatch}, the next patch after ${code(release.tag)}` : "a valid X.Y.Z version",
    };
  }
  if (!follows) {
    return { part: "version", passed: true, finding: `version ${found} is a valid version (version_follows_latest_tag is off)`, expectation: "a valid X.Y.Z version" };
  }
  if (!release) {
    return {
      part: "version",
      passed: true,
      finding: `version ${found} accepted: the repository has no vX.Y.Z tag yet to compare it with`,
      expectation: "the next patch after the latest vX.Y.Z tag (none yet)",
    };
  }
  const expectation = `version ${release.nextPatch}, the next patch after ${code(release.tag)}`;
  if (found === release.nextPatch) {
    return { part: "version", passed: true, finding: `version ${found} is the next patch after ${code(release.tag)}`, expectation };
  }
  return { part: "version", passed: false, finding: `version ${found} ${versionMismatch(found, release)}`, expectation };
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** True for a real calendar date written YYYYMMDD. */
function isCalendarDate(text: string): boolean {
  if (!/^[0-9]{8}$/.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  const daysInMonth = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}

/** True for a real time of day written HHMM. */
function isClockTime(text: string): boolean {
  return /^[0-9]{4}$/.test(text) && Number(text.slice(0, 2)) < 24 && Number(text.slice(2, 4)) < 60;
}

/** The configured zone of emergency stamps (`hotfix.timezone`). */
function zoneOf(context: CheckContext): string {
  return context.policy.config.hotfix.timezone;
}

/** The instant of a valid YYYYMMDD date and optional HHMM time, read in the configured zone. */
function stampInstant(date: string, time: string | undefined, context: CheckContext): number {
  return instantOfWallClock({ date, time: time ?? "0000" }, zoneOf(context));
}

/** The current date and time as a branch name in the configured zone writes them. */
function nowClock(context: CheckContext): WallClock {
  return wallClockIn(context.now, zoneOf(context));
}

/** A stamp with its zone, and its UTC reading when the zone is not UTC: `20261123-1600 Europe/Berlin (20261123-1500 UTC)`. */
function zonedLabel(stamp: string, instant: number, context: CheckContext): string {
  const zone = zoneOf(context);
  if (zone === "UTC") return `${stamp} UTC`;
  const utc = wallClockIn(new Date(instant), "UTC");
  return `${stamp} ${zone} (${utc.date}-${utc.time} UTC)`;
}

/** "UTC", or "Europe/Berlin time". */
function zoneWords(context: CheckContext): string {
  const zone = zoneOf(context);
  return zone === "UTC" ? "UTC" : `${zone} time`;
}

function momentExpectation(context: CheckContext): string {
  const window = context.policy.config.hotfix.emergency_window_hours;
  const now = nowClock(context);
  return `a real date (YYYYMMDD) and time (HHMM) in ${zoneWords(context)}, not after now (${zonedLabel(`${now.date}-${now.time}`, context.now.getTime(), context)}) and at most ${window} hours old`;
}

/** The verdict on a date that is a real calendar date and a time that is a real time of day. */
function timelinessVerdict(date: string, time: string | undefined, context: CheckContext): PartVerdict {
  const window = context.policy.config.hotfix.emergency_window_hours;
  const now = context.now.getTime();
  const start = stampInstant(date, time, context);
  const end = time === undefined ? start + DAY_MS : start;
  const stamp = time === undefined ? date : `${date}-${time}`;
  const expectation = momentExpectation(context);
  if (start > now + CLOCK_SKEW_MS) {
    const clock = nowClock(context);
    const nowLabel = zonedLabel(`${clock.date}-${clock.time}`, now, context);
    const hint = zoneOf(context) === "UTC" ? "was local time used?" : "was another zone's time used?";
    return {
      part: "moment",
      passed: false,
      finding: `${stamp} is ${duration(start - now)} in the future: branch names use ${zoneWords(context)}, and it is now ${nowLabel} (${hint})`,
      expectation,
    };
  }
  if (now - end > window * HOUR_MS) {
    return { part: "moment", passed: false, finding: `${zonedLabel(stamp, start, context)} was ${duration(now - start)} ago, outside the ${window}-hour emergency window`, expectation };
  }
  return { part: "moment", passed: true, finding: `${zonedLabel(stamp, start, context)} is ${duration(now - start)} old, within the ${window}-hour emergency window`, expectation };
}

function momentVerdict(date: string | undefined, time: string | undefined, context: CheckContext): PartVerdict {
  const expectation = momentExpectation(context);
  if (date !== undefined && !isCalendarDate(date)) {
    return { part: "moment", passed: false, finding: `date ${quotePart(date)} is not a real calendar date (YYYYMMDD, ${zoneWords(context)})`, expectation };
  }
  if (time !== undefined && !isClockTime(time)) {
    return { part: "moment", passed: false, finding: `time ${quotePart(time)} is not a real time of day (HHMM from 0000 to 2359, ${zoneWords(context)})`, expectation };
  }
  if (date === undefined) return { part: "moment", passed: true, finding: `time ${time ?? ""} is a real time of day (${zoneWords(context)})`, expectation };
  return timelinessVerdict(date, time, context);
}

/** What keeps a slug from being lowercase kebab-case, in a few words. */
function slugShapeProblem(slug: string): string {
  let uppercase = false;
  const others = new Set<string>();
  for (const char of slug) {
    if (char >= "A" && char <= "Z") uppercase = true;
    else if (!/[a-z0-9-]/.test(char) && others.size < 5) others.add(char);
  }
  const problems = [
    uppercase ? "uppercase letters" : "",
    ...[...others].map(code),
    slug.startsWith("-") || slug.endsWith("-") || slug.includes("--") ? "a dash at an end or a doubled dash" : "",
  ].filter(Boolean);
  return listInProse(problems);
}

function slugVerdict(slug: string, context: CheckContext): PartVerdict {
  const max = context.policy.config.hotfix.slug_max_length;
  const expectation = `a lowercase kebab-case slug (a-z, 0-9, single dashes) of at most ${max} characters`;
  const problems = [
    KEBAB_CASE.test(slug) ? "" : `slug ${quotePart(slug)} is not lowercase kebab-case (it has ${slugShapeProblem(slug)})`,
    slug.length > max ? `the slug is ${slug.length} characters, over the limit of ${max} (slug_max_length)` : "",
  ].filter(Boolean);
  if (problems.length > 0) return { part: "slug", passed: false, finding: problems.join("; "), expectation };
  return { part: "slug", passed: true, finding: `slug ${code(slug)} is lowercase kebab-case within ${max} characters`, expectation };
}

// ── Grammars ───────────────────────────────────────────────────────────────────────────────────

function assess(grammar: BranchGrammar, branch: string, context: CheckContext): Assessment | null {
  const values = grammar.match(branch);
  if (!values) return null;
  const hasMoment = values.date !== undefined || values.time !== undefined;
  const verdicts = [
    values.version === undefined ? null : versionVerdict(values.version, context),
    hasMoment ? momentVerdict(values.date, values.time, context) : null,
    values.slug === undefined ? null : slugVerdict(values.slug, context),
  ].filter((verdict): verdict is PartVerdict => verdict !== null);
  return { grammar, values, verdicts, problems: verdicts.filter((verdict) => !verdict.passed) };
}

function assessAll(branch: string, context: CheckContext): Assessment[] {
  return context.policy.branchGrammars.flatMap((grammar) => assess(grammar, branch, context) ?? []);
}

/** How much a grammar pins down: placeholders with a meaning, then literal text. */
function specificity(grammar: BranchGrammar): [number, number] {
  const constrained = grammar.placeholders.filter((placeholder) => placeholder !== "slug").length;
  const literal = grammar.fill({ version: "", date: "", time: "", slug: "" }).length;
  return [constrained, literal];
}

function bySpecificity(a: Assessment, b: Assessment): number {
  const [constrainedA, literalA] = specificity(a.grammar);
  const [constrainedB, literalB] = specificity(b.grammar);
  return constrainedB - constrainedA || literalB - literalA || a.problems.length - b.problems.length;
}

/** The assessment to report: the most specific passing grammar, else the most specific one whose shape matched. */
function closestAssessment(assessments: readonly Assessment[]): Assessment | undefined {
  const passing = assessments.filter((assessment) => assessment.problems.length === 0);
  return [...(passing.length > 0 ? passing : assessments)].sort(bySpecificity)[0];
}

function acceptedNames(policy: Policy): string {
  return policy.branchGrammars.map((grammar) => code(grammar.source)).join(", ");
}

/** What each placeholder used by the grammars must be, for a branch that matched none. */
function placeholderGuide(context: CheckContext): string {
  const used = new Set(context.policy.branchGrammars.flatMap((grammar) => grammar.placeholders));
  const { hotfix } = context.policy.config;
  const { release } = context;
  const version =
    hotfix.version_follows_latest_tag && release ? `{version} is ${release.nextPatch} (the next patch after ${code(release.tag)})` : "{version} is X.Y.Z";
  return [
    used.has("version") ? version : "",
    used.has("date") || used.has("time") ? `{date} is YYYYMMDD and {time} is HHMM, in ${zoneWords(context)}, not in the future and at most ${hotfix.emergency_window_hours} hours old` : "",
    used.has("slug") ? `{slug} is lowercase kebab-case of at most ${hotfix.slug_max_length} characters` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

// ── Suggestions ────────────────────────────────────────────────────────────────────────────────

/** The words of a text as slug words: accents dropped, lowercase, split at anything else. */
function slugWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Words joined with dashes, cut at a dash to fit `maxLength`; a placeholder slug when there are none. */
function slugFromWords(words: readonly string[], maxLength: number): string {
  let slug = "";
  for (const word of words) {
    const longer = slug ? `${slug}-${word}` : word;
    if (longer.length > maxLength) break;
    slug = longer;
  }
  if (slug) return slug;
  const first = words[0];
  return first ? first.slice(0, maxLength) : fallbackSlug(maxLength);
}

function fallbackSlug(maxLength: number): string {
  return slugFromWords(FALLBACK_SLUG_WORDS, maxLength);
}

/** Drops leading version-like words (`v1`, `4`, `20261123`) that other placeholders already carry. */
function withoutLeadingNumbers(words: readonly string[]): string[] {
  const firstWord = words.findIndex((word) => !/^v?[0-9]+$/.test(word));
  return firstWord === -1 ? [] : words.slice(firstWord);
}

/** A version with leading zeros removed, when that makes it valid. */
function repairedVersion(found: string): string | null {
  const repaired = found
    .split(".")
    .map((number) => number.replace(/^0+(?=[0-9])/, ""))
    .join(".");
  return isVersion(repaired) ? repaired : null;
}

function suggestedVersion(found: string | undefined, context: CheckContext): string {
  const { release } = context;
  if (context.policy.config.hotfix.version_follows_latest_tag && release) return release.nextPatch;
  return (found === undefined ? null : repairedVersion(found)) ?? release?.nextPatch ?? VERSION_PLACEHOLDER;
}

/** How the suggested date and time were made, and the command that prints them. */
function momentNote(context: CheckContext): string {
  const zone = zoneOf(context);
  if (zone === "UTC") return "The date and time in it are the current UTC time; `date -u +%Y%m%d-%H%M` prints it.";
  return `The date and time in it are the current time in ${zone}; \`TZ=${zone} date +%Y%m%d-%H%M\` prints it.`;
}

function suggestionNotes(grammar: BranchGrammar, values: Record<Placeholder, string>, refilled: ReadonlySet<Part>, context: CheckContext): string[] {
  const hasMoment = grammar.placeholders.includes("date") || grammar.placeholders.includes("time");
  const max = context.policy.config.hotfix.slug_max_length;
  return [
    refilled.has("version") && grammar.placeholders.includes("version") && values.version === VERSION_PLACEHOLDER
      ? `Replace ${VERSION_PLACEHOLDER} with the version this hotfix will be tagged as: the repository has no vX.Y.Z tag to count from.`
      : "",
    refilled.has("moment") && hasMoment ? momentNote(context) : "",
    refilled.has("slug") && values.slug === fallbackSlug(max) ? `Replace ${code(values.slug)} with a few words about the fix.` : "",
  ].filter(Boolean);
}

/** The grammar filled with the assessed values, each failing part replaced by a correct one. */
function repaired(assessment: Assessment, context: CheckContext): Suggestion {
  const { grammar, values } = assessment;
  const failed = new Set(assessment.problems.map((problem) => problem.part));
  const max = context.policy.config.hotfix.slug_max_length;
  const filled: Record<Placeholder, string> = {
    version: failed.has("version") ? suggestedVersion(values.version, context) : (values.version ?? ""),
    date: failed.has("moment") ? nowClock(context).date : (values.date ?? ""),
    time: failed.has("moment") ? nowClock(context).time : (values.time ?? ""),
    slug: failed.has("slug") ? slugFromWords(slugWords(values.slug ?? ""), max) : (values.slug ?? ""),
  };
  return { name: grammar.fill(filled), notes: suggestionNotes(grammar, filled, failed, context) };
}

/** The branch with its prefix spelt as configured (and its case and underscores fixed), when that gives a grammar's shape. */
function repairedPrefix(branch: string, context: CheckContext): Suggestion | null {
  const { prefix } = context.policy.config.hotfix;
  const rest = textAfterPrefix(branch, prefix);
  const lower = rest.toLowerCase();
  const candidates = new Set([prefix + rest, prefix + lower, prefix + lower.replaceAll("_", "-")]);
  for (const candidate of candidates) {
    const closest = closestAssessment(assessAll(candidate, context));
    if (closest) return closest.problems.length === 0 ? { name: candidate, notes: [] } : repaired(closest, context);
  }
  return null;
}

/** The grammar to fill when no grammar fits: the first one, skipping those that need a version nobody knows. */
function grammarToFill(context: CheckContext): BranchGrammar | undefined {
  const grammars = context.policy.branchGrammars;
  return grammars.find((grammar) => context.release !== null || !grammar.placeholders.includes("version")) ?? grammars[0];
}

/** A name built from scratch: a grammar filled with the next version, the current time in the configured zone and the branch's words. */
function filledFromScratch(branch: string, context: CheckContext): Suggestion {
  const { prefix, slug_max_length: max } = context.policy.config.hotfix;
  const words = slugWords(textAfterPrefix(branch, prefix));
  const grammar = grammarToFill(context);
  if (!grammar) return { name: prefix + slugFromWords(words, max), notes: [] };
  const carriesNumbers = grammar.placeholders.some((placeholder) => placeholder !== "slug");
  const filled: Record<Placeholder, string> = {
    version: suggestedVersion(undefined, context),
    date: nowClock(context).date,
    time: nowClock(context).time,
    slug: slugFromWords(carriesNumbers ? withoutLeadingNumbers(words) : words, max),
  };
  const everyPart = new Set<Part>(["version", "moment", "slug"]);
  return { name: grammar.fill(filled), notes: suggestionNotes(grammar, filled, everyPart, context) };
}

function suggestionWithoutShape(branch: string, context: CheckContext): Suggestion {
  return repairedPrefix(branch, context) ?? filledFromScratch(branch, context);
}

function suggestionFor(branch: string, context: CheckContext): Suggestion {
  const closest = closestAssessment(assessAll(branch, context));
  if (!closest) return suggestionWithoutShape(branch, context);
  return closest.problems.length === 0 ? { name: branch, notes: [] } : repaired(closest, context);
}

// ── Findings ───────────────────────────────────────────────────────────────────────────────────

/**
 * How to rename. Per GitHub's "Renaming a branch" documentation, renaming a branch retargets pull
 * requests whose *base* it is, but closes an open pull request whose *head* it is; deleting the
 * old branch after a local rename closes it too. Either way a new pull request is needed.
 */
function renameRemedy(branch: string, suggestion: Suggestion): string {
  const shortBranch = excerpt(branch, BRANCH_QUOTE_MAX);
  const oldName = shellWord(shortBranch);
  const newName = shellWord(suggestion.name);
  return [
    `Rename the branch to ${code(suggestion.name)}.${suggestion.notes.length > 0 ? ` ${suggestion.notes.join(" ")}` : ""}`,
    `With git: ${code(`git branch -m ${oldName} ${newName} && git push origin -u ${newName} && git push origin --delete ${oldName}`)}`,
    "If the branch already has an open pull request, renaming it closes that pull request, whether you use git or GitHub's rename button (GitHub only retargets pull requests that merge *into* a renamed branch): open a new pull request from the renamed branch and link the closed one.",
  ].join("\n");
}

function passFinding(branch: string, assessment: Assessment, context: CheckContext): Finding {
  const checked = assessment.verdicts.map((verdict) => verdict.finding).join("; ");
  return {
    rule: RULE,
    title: TITLE,
    status: "pass",
    actual: `${quoteBranch(branch)} matches ${code(assessment.grammar.source)}${checked ? `: ${checked}` : ""}`,
    expected: `One of ${acceptedNames(context.policy)}`,
  };
}

function meaningFailure(branch: string, assessment: Assessment, context: CheckContext): Finding {
  return {
    rule: RULE,
    title: TITLE,
    status: "fail",
    actual: `${quoteBranch(branch)} has the shape of ${code(assessment.grammar.source)}, but ${assessment.problems.map((problem) => problem.finding).join("; ")}`,
    expected: `${assessment.problems.map((problem) => problem.expectation).join("; ")} (accepted names: ${acceptedNames(context.policy)})`,
    remedy: renameRemedy(branch, repaired(assessment, context)),
  };
}

/** Why the branch's start is wrong, when it is. */
function prefixHint(branch: string, prefix: string): string {
  const written = writtenPrefixLength(branch, prefix);
  if (written === null) return `: it does not start with ${code(prefix)}`;
  const writtenPrefix = branch.slice(0, written);
  return writtenPrefix === prefix ? "" : `: it starts with ${quotePart(writtenPrefix)} instead of ${code(prefix)}`;
}

function shapeFailure(branch: string, context: CheckContext): Finding {
  return {
    rule: RULE,
    title: TITLE,
    status: "fail",
    actual: `${quoteBranch(branch)} matches none of the accepted hotfix branch names${prefixHint(branch, context.policy.config.hotfix.prefix)}`,
    expected: `One of ${acceptedNames(context.policy)}, where ${placeholderGuide(context)}`,
    remedy: renameRemedy(branch, suggestionWithoutShape(branch, context)),
  };
}

// ── API ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Checks a branch name against the policy's grammars. The branch passes when any grammar matches
 * its shape and every part means what it should: the version is the next patch after
 * `latestVersionTag`, the emergency date and time are a real moment in the configured zone within the window, the
 * slug is short lowercase kebab-case. A failure names the most specific problem and suggests a
 * corrected name with the commands to rename. Pure: `now` is the clock.
 * @param latestVersionTag - the highest `vX.Y.Z` tag, or null when the repository has none.
 */
export function checkBranchName(branch: string, policy: Policy, latestVersionTag: string | null, now: Date): Finding {
  const context: CheckContext = { policy, release: releaseOf(latestVersionTag), now };
  const closest = closestAssessment(assessAll(branch, context));
  if (!closest) return shapeFailure(branch, context);
  return closest.problems.length === 0 ? passFinding(branch, closest, context) : meaningFailure(branch, closest, context);
}

/**
 * A corrected branch name: the wrong parts of the closest grammar replaced (the version by the
 * next patch, the date and time by `now` in the configured zone, the slug slugified), or a grammar filled from the
 * branch's words. Returns the branch unchanged when it already passes. The name contains the
 * literal `X.Y.Z` only when it needs a version that no `vX.Y.Z` tag tells, and the remedy says so.
 */
export function suggestBranchName(branch: string, policy: Policy, latestVersionTag: string | null, now: Date): string {
  return suggestionFor(branch, { policy, release: releaseOf(latestVersionTag), now }).name;
}

/**
 * True when the branch starts with the hotfix prefix, ignoring case and common slips: for the
 * prefix `hotfix/`, also `Hotfix/`, `hotfix-`, `hotfix_`, `hot-fix/` and `hotfixes/`.
 */
export function looksLikeHotfixBranch(branch: string, policy: Policy): boolean {
  return writtenPrefixLength(branch, policy.config.hotfix.prefix) !== null;
}

/**
 * True when checking the branch needs the latest `vX.Y.Z` tag: the version must follow the tag and
 * a grammar with `{version}` matches the branch's shape. Lets the snapshot loader skip the tags
 * request otherwise; without the tag, a suggestion for a branch that fits no grammar prefers a
 * grammar without `{version}`.
 */
export function needsLatestTag(branch: string, policy: Policy): boolean {
  if (!policy.config.hotfix.version_follows_latest_tag) return false;
  return policy.branchGrammars.some((grammar) => grammar.placeholders.includes("version") && grammar.match(branch) !== null);
}

/** The branch-name rule of a hotfix pull request: its head branch must be a valid hotfix branch name, even when the label made it a hotfix. */
export const branchNameRule: Rule = (snapshot, policy, now) => {
  const finding = checkBranchName(snapshot.headRef, policy, snapshot.latestVersionTag, now);
  const { label } = policy.config.hotfix;
  const byLabelOnly =
    !looksLikeHotfixBranch(snapshot.headRef, policy) && snapshot.labels.some((name) => name.toLowerCase() === label.toLowerCase());
  if (finding.status !== "fail" || !byLabelOnly) return [finding];
  return [{ ...finding, actual: `${finding.actual}. The ${code(label)} label makes this pull request a hotfix, so its branch needs a hotfix name too` }];
};
