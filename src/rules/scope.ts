/**
 * Minimal scope (every seed): a hotfix fixes the immediate issue and nothing else. Large diffs and
 * changes to paths the team has declared off-limits for hotfixes (migrations, infrastructure) are
 * where scope creep and new incidents come from, so this rule names exactly what is over the line.
 */
import type { Policy } from "../config/policy.js";
import { inlineCode, listInProse } from "./excerpt.js";
import type { ChangedFile, Finding, PullRequestSnapshot, Rule } from "./types.js";

const RULE = "scope";
const TITLE = "Scope";
/** The most file names one finding lists before summarising the rest. */
const MAX_LISTED = 10;

/** "a, b and c", or the first {@link MAX_LISTED} items "and N more". */
function cappedList(items: readonly string[]): string {
  if (items.length <= MAX_LISTED) return listInProse(items);
  return `${items.slice(0, MAX_LISTED).join(", ")} and ${items.length - MAX_LISTED} more`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The changed files that match a forbidden path, each with the pattern it matched. */
function forbiddenFilesOf(files: readonly ChangedFile[], policy: Policy): string[] {
  return files.flatMap((file) => {
    const pattern = policy.forbiddenPaths.find((matcher) => matcher.test(file.filename));
    return pattern ? [`${inlineCode(file.filename)} (matches ${inlineCode(pattern.source)})`] : [];
  });
}

/**
 * Why the forbidden paths could not be fully checked, or null when they could. The gateway fetches
 * the file list whenever `forbidden_paths` is configured, so a missing or short list means GitHub
 * did not return it (it lists at most 3,000 files); an unchecked file is never assumed to be safe.
 */
function uncheckedFilesProblem(snapshot: PullRequestSnapshot, policy: Policy): string | null {
  if (policy.forbiddenPaths.length === 0) return null;
  if (!snapshot.files) return "The changed files could not be read, so forbidden paths were not checked";
  const unread = snapshot.changedFiles - snapshot.files.length;
  return unread > 0 ? `${plural(unread, "changed file")} could not be read, so not every file was checked against the forbidden paths` : null;
}

/** What the rule measured, computed once per evaluation. */
interface ScopeFacts {
  readonly changedLines: number;
  readonly forbidden: readonly string[];
  readonly unchecked: string | null;
}

function scopeFacts(snapshot: PullRequestSnapshot, policy: Policy): ScopeFacts {
  return {
    changedLines: snapshot.additions + snapshot.deletions,
    forbidden: forbiddenFilesOf(snapshot.files ?? [], policy),
    unchecked: uncheckedFilesProblem(snapshot, policy),
  };
}

/** What is over the limits, one sentence each; empty when the scope is minimal. */
function scopeProblems(snapshot: PullRequestSnapshot, facts: ScopeFacts, policy: Policy): string[] {
  const { max_files: maxFiles, max_changed_lines: maxLines } = policy.config.scope;
  const problems: string[] = [];
  if (snapshot.changedFiles > maxFiles) {
    problems.push(`${plural(snapshot.changedFiles, "file")} changed, over the limit of ${maxFiles}.`);
  }
  if (facts.changedLines > maxLines) {
    problems.push(`${plural(facts.changedLines, "line")} changed (+${snapshot.additions} −${snapshot.deletions}), over the limit of ${maxLines}.`);
  }
  if (facts.forbidden.length > 0) problems.push(`Forbidden paths touched: ${cappedList(facts.forbidden)}.`);
  if (facts.unchecked) problems.push(`${facts.unchecked}.`);
  return problems;
}

function expectedScope(policy: Policy): string {
  const { max_files: maxFiles, max_changed_lines: maxLines } = policy.config.scope;
  const limits = `At most ${plural(maxFiles, "file")} and ${plural(maxLines, "changed line")} (added plus deleted)`;
  const forbidden = policy.forbiddenPaths.map((matcher) => inlineCode(matcher.source));
  return forbidden.length > 0 ? `${limits}, and no file matching ${cappedList(forbidden)}` : limits;
}

function remedyFor(facts: ScopeFacts): string {
  const steps = [
    "Make the minimal change that fixes the immediate issue: no refactoring, no improvements. Move everything else to a regular pull request.",
  ];
  if (facts.forbidden.length > 0) {
    steps.push("Revert the changes to the forbidden paths in this pull request; if one is truly needed, ship it through the regular process.");
  }
  if (facts.unchecked) steps.push("Re-run the check so the changed files can be read.");
  return steps.join(" ");
}

/** The scope rule: file count, changed lines and forbidden paths, at the configured `scope.level`. */
export const scopeRule: Rule = (snapshot, policy): Finding[] => {
  const facts = scopeFacts(snapshot, policy);
  const problems = scopeProblems(snapshot, facts, policy);
  const expected = expectedScope(policy);
  if (problems.length === 0) {
    const forbidden = policy.forbiddenPaths.length > 0 ? "; no forbidden path touched" : "";
    const actual = `${plural(snapshot.changedFiles, "file")} and ${plural(facts.changedLines, "line")} changed${forbidden}`;
    return [{ rule: RULE, title: TITLE, status: "pass", actual, expected }];
  }
  return [{ rule: RULE, title: TITLE, status: policy.config.scope.level, actual: problems.join(" "), expected, remedy: remedyFor(facts) }];
};
