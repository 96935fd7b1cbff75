/**
 * The hotfix commit message convention (seed 001 `hotfix(scope): …` with EMERGENCY FIX, Root
 * Cause, Impact and Solution lines; seed 003 `HOTFIX: …`). The history is what remains after the
 * incident channel is gone, so each commit must say why it was an emergency and what it changed.
 * Merge commits are not checked: their messages are written by Git, not by the developer.
 */
import type { Policy } from "../config/policy.js";
import { matchesAny } from "../config/patterns.js";
import { contentProblem, normalizeName } from "../markdown/sections.js";
import { codeList, excerpt, listInProse } from "./excerpt.js";
import type { CommitFact, Finding, PullRequestSnapshot, Rule } from "./types.js";

const RULE = "commits";
const TITLE = "Commit messages";
/** The most offending commits one finding lists before summarising the rest. */
const MAX_LISTED = 10;
/** First lines for the remedy's template (seeds 001 and 003): the first one the policy accepts is shown. */
const EXAMPLE_SUBJECTS = ["hotfix([scope]): [brief description]", "HOTFIX: [brief description]"];
/** Seed 001's prompts for its fields, by normalised field name. */
const FIELD_PROMPTS = new Map([
  ["emergency fix", "[Detailed explanation of issue]"],
  ["root cause", "[What caused the problem]"],
  ["impact", "[Who/what was affected]"],
  ["solution", "[What the fix does]"],
]);

/** What is wrong with one commit's message. */
interface CommitProblem {
  readonly commit: CommitFact;
  readonly subject: string;
  readonly subjectMatches: boolean;
  readonly missingFields: readonly string[];
}

/**
 * True when some body line reads `Name: content` for the field, the name compared without case or
 * punctuation and the content real (not empty, not a `[placeholder]`, not "TBD").
 */
function hasField(bodyLines: readonly string[], field: string): boolean {
  const wanted = normalizeName(field);
  return bodyLines.some((line) => {
    const colon = line.indexOf(":");
    return colon > 0 && normalizeName(line.slice(0, colon)) === wanted && contentProblem(line.slice(colon + 1)) === null;
  });
}

function problemOf(commit: CommitFact, policy: Policy): CommitProblem | null {
  const [subject = "", ...bodyLines] = commit.message.split(/\r?\n/);
  const subjectMatches = matchesAny(policy.commitSubjects, subject);
  const missingFields = policy.config.commits.fields.filter((field) => !hasField(bodyLines, field));
  return subjectMatches && missingFields.length === 0 ? null : { commit, subject, subjectMatches, missingFields };
}

function describeProblem({ commit, subject, subjectMatches, missingFields }: CommitProblem): string {
  const what = [
    ...(subjectMatches ? [] : ["first line does not follow the convention"]),
    ...(missingFields.length > 0 ? [`missing ${listInProse(missingFields.map((field) => `"${field}:"`))}`] : []),
  ];
  return `${commit.sha.slice(0, 7)} "${excerpt(subject, 60)}": ${what.join("; ")}`;
}

function describeProblems(problems: readonly CommitProblem[], checkedCount: number): string {
  const listed = problems.slice(0, MAX_LISTED).map(describeProblem);
  const more = problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : "";
  const count = problems.length === 1 ? "1 commit does not" : `${problems.length} commits do not`;
  return `${count} follow the convention (${checkedCount} checked): ${listed.join("; ")}${more}.`;
}

function passingSummary(checkedCount: number): string {
  if (checkedCount === 0) return "No non-merge commits to check";
  if (checkedCount === 1) return "The one non-merge commit follows the convention";
  return `All ${checkedCount} non-merge commits follow the convention`;
}

function expectedMessages(policy: Policy): string {
  const subjects = codeList(policy.commitSubjects.map((matcher) => matcher.source));
  const fields = policy.config.commits.fields;
  const body = fields.length > 0 ? `, and body lines ${listInProse(fields.map((field) => `"${field}: …"`))}` : "";
  return `Every non-merge commit: a first line matching ${subjects}${body}`;
}

/** Seed 001's commit template, with the configured fields and a first line the policy accepts. */
function templateFor(policy: Policy): string {
  const subject = EXAMPLE_SUBJECTS.find((example) => matchesAny(policy.commitSubjects, example)) ?? "<a first line the configured patterns accept>";
  const fieldLines = policy.config.commits.fields.map((field) => `${field}: ${FIELD_PROMPTS.get(normalizeName(field)) ?? "[details]"}`);
  return [subject, "", ...fieldLines].join("\n");
}

function remedyFor(snapshot: PullRequestSnapshot, policy: Policy): string {
  return (
    `Reword the commits to this template, filling in every line:\n\n\`\`\`text\n${templateFor(policy)}\n\`\`\`\n\n` +
    `Use \`git commit --amend\` for the last commit, or \`git rebase -i origin/${snapshot.baseRef}\` and mark each commit \`reword\`, ` +
    "then `git push --force-with-lease`."
  );
}

/** The commits rule: every non-merge commit follows `commits.subject` and `commits.fields`, at `commits.convention`. */
export const commitMessagesRule: Rule = (snapshot, policy): Finding[] => {
  const { convention } = policy.config.commits;
  const expected = expectedMessages(policy);
  if (convention === "off") {
    return [{ rule: RULE, title: TITLE, status: "skip", actual: "not checked: `commits.convention` is off", expected: "Nothing" }];
  }
  if (!snapshot.commits) {
    const actual = "The commits could not be read, so their messages were not checked.";
    return [{ rule: RULE, title: TITLE, status: convention, actual, expected, remedy: `Re-run the check. ${remedyFor(snapshot, policy)}` }];
  }
  const checked = snapshot.commits.filter((commit) => commit.parents < 2);
  const problems = checked.flatMap((commit) => problemOf(commit, policy) ?? []);
  if (problems.length === 0) {
    const actual = passingSummary(checked.length);
    return [{ rule: RULE, title: TITLE, status: "pass", actual, expected }];
  }
  return [{ rule: RULE, title: TITLE, status: convention, actual: describeProblems(problems, checked.length), expected, remedy: remedyFor(snapshot, policy) }];
};
