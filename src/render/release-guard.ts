/**
 * What the release guard writes: the "Hotfix Guard" check of a release pull request, the
 * "Hotfix Guard: release" check of a tag's or GitHub release's commit, and the comment on a
 * missing hotfix's reminder. Each missing hotfix is named with its pull request, version and the
 * commands that bring it in. Pure; hostile text (titles, branch and tag names, skip reasons) is
 * escaped here, and every output passes through the limits.
 */
import type { ConfigSource } from "../config/policy.js";
import type { CheckRunOutput } from "../model/check-run.js";
import type { ReminderState, Row, Skip } from "../model/merge-back.js";
import type { HotfixPresence, ReleaseVerdict } from "../rules/release-guard.js";
import type { AddedMarker } from "../rules/back-merge-check.js";
import { inlineCode } from "../rules/excerpt.js";
import { CHECK_NAME, describeSource } from "./check-run.js";
import { fitBody, fitBodyWithTail, fitCheckRun } from "./limits.js";
import { mergeCommands, plainText } from "./merge-back.js";
import { codeBlock } from "./markdown.js";

/** The check run on a tag's or published release's commit. */
export const RELEASE_CHECK_NAME = "Hotfix Guard: release";

/** A release candidate as the texts name it. */
export interface ReleaseCandidate {
  /** What is released: a pull request into production, a tag, or a published GitHub release. */
  readonly kind: "pull-request" | "tag" | "release";
  /** The pull request's number, or the tag's name. */
  readonly name: string;
  readonly sha: string;
  /** The branch the candidate comes from, when known: the commands merge into it. */
  readonly branch: string | null;
}

/** A hotfix with the version its branch name gives, when it gives one. */
export interface NamedHotfix extends HotfixPresence {
  readonly version: string | null;
}

/** The hidden marker of the comment on hotfix `number`'s reminder about the release commit `sha`. */
export function releaseCommentMarker(number: number, sha: string): string {
  return `<!-- hotfix-guard:release-missing pr=${number} sha=${sha} -->`;
}

/** The candidate in words, its names escaped. */
function label(candidate: ReleaseCandidate): string {
  switch (candidate.kind) {
    case "pull-request":
      return `Pull request #${candidate.name}${candidate.branch ? ` from ${inlineCode(candidate.branch)}` : ""}`;
    case "tag":
      return `Tag ${inlineCode(candidate.name)}`;
    case "release":
      return `Release ${inlineCode(candidate.name)}`;
  }
}

function hotfixName(item: NamedHotfix): string {
  const { hotfix } = item.state;
  const version = item.version ? `, version ${inlineCode(item.version)}` : "";
  const reminder = item.reminder === null ? "" : `, tracked in #${item.reminder}`;
  return `#${hotfix.number} (${plainText(hotfix.title)}${version}${reminder})`;
}

function commandsFor(item: NamedHotfix, candidate: ReleaseCandidate): string {
  if (candidate.branch) return mergeCommands(item.state, candidate.branch);
  return codeBlock(`git fetch origin pull/${item.state.hotfix.number}/head\ngit merge --no-ff FETCH_HEAD   # on the release branch this was tagged from, then tag again`, "sh");
}

function missingText(item: NamedHotfix, candidate: ReleaseCandidate): string {
  const lead = item.presence.kind === "unknown" ? `could not be verified (${plainText(item.presence.detail)}); treated as missing` : "is missing";
  return [`- ❌ Hotfix ${hotfixName(item)} ${lead}. Bring it in:`, "", ...commandsFor(item, candidate).split("\n").map((line) => `  ${line}`)].join("\n");
}

function skippedText(item: NamedHotfix): string {
  if (item.presence.kind !== "skipped") return "";
  const { skip } = item.presence;
  return `- ➖ Hotfix ${hotfixName(item)}: skipped by @${skip.by} (\`/hotfix skip-merge-back\`): ${plainText(skip.reason)}`;
}

function sections(verdict: ReleaseVerdict, candidate: ReleaseCandidate, items: readonly NamedHotfix[]): string[] {
  const named = (list: readonly HotfixPresence[]) => items.filter((item) => list.includes(item));
  const missing = [...named(verdict.missing), ...named(verdict.unknown)];
  const skipped = named(verdict.skipped);
  return [
    missing.length > 0 ? `### Missing hotfixes\n\n${missing.map((item) => missingText(item, candidate)).join("\n")}` : "",
    skipped.length > 0 ? `### Skipped\n\n${skipped.map(skippedText).join("\n")}` : "",
    verdict.present.length > 0 ? `Present: ${named(verdict.present).map((item) => `#${item.state.hotfix.number}`).join(", ")}.` : "",
  ].filter(Boolean);
}

function headline(verdict: ReleaseVerdict, candidate: ReleaseCandidate, total: number): { title: string; lead: string } {
  const lacking = verdict.missing.length + verdict.unknown.length;
  if (lacking === 0) {
    return { title: total === 0 ? "No open hotfix to carry" : `All ${total} open hotfix${total === 1 ? "" : "es"} present`, lead: `✅ ${label(candidate)} carries every hotfix merged into production that has not yet reached every branch.` };
  }
  const title = `Release lacks ${lacking} hotfix${lacking === 1 ? "" : "es"}`;
  const effect = verdict.conclusion === "failure" ? "It would bring the fixed bugs back into production: this check fails until they are in." : "Warning only (`release_guard`): the check does not block.";
  return { title, lead: `❌ ${label(candidate)} (commit ${inlineCode(candidate.sha.slice(0, 7))}) lacks ${lacking} hotfix${lacking === 1 ? "" : "es"} already merged into production. ${effect}` };
}

const FOOTER =
  "A hotfix counts as present when its commits are in the release's history, a pull request into the release branch from the hotfix branch or mentioning it was merged, or its commits were cherry-picked with `git cherry-pick -x`. A hotfix deliberately not wanted here is marked by an authoriser with `/hotfix skip-merge-back <branch> <reason>` on the hotfix or its reminder.";

/** The "Hotfix Guard" check of a non-hotfix pull request into production (a release), with the guard's verdict. */
export function renderReleasePullRequestCheck(candidate: ReleaseCandidate, verdict: ReleaseVerdict, items: readonly NamedHotfix[], source: ConfigSource): CheckRunOutput {
  const { title, lead } = headline(verdict, candidate, items.length);
  const summary = [lead, ...sections(verdict, candidate, items), "This pull request is not a hotfix, so the hotfix rules do not apply; the release guard checks that it drops no hotfix.", FOOTER, describeSource(source)].join("\n\n");
  return fitCheckRun({ name: CHECK_NAME, conclusion: verdict.conclusion, title, summary });
}

/** The "Hotfix Guard: release" check of a tag's or published release's commit. */
export function renderReleaseCommitCheck(candidate: ReleaseCandidate, verdict: ReleaseVerdict, items: readonly NamedHotfix[]): CheckRunOutput {
  const { title, lead } = headline(verdict, candidate, items.length);
  return fitCheckRun({ name: RELEASE_CHECK_NAME, conclusion: verdict.conclusion === "neutral" ? "failure" : verdict.conclusion, title, summary: [lead, ...sections(verdict, candidate, items), FOOTER].join("\n\n") });
}

/** The comment on a missing hotfix's reminder: which release lacks it, and how to bring it in. */
export function renderReleaseComment(candidate: ReleaseCandidate, item: NamedHotfix): string {
  const { hotfix } = item.state;
  const visible = [`⚠️ ${label(candidate)} (commit ${inlineCode(candidate.sha.slice(0, 7))}) was released without hotfix #${hotfix.number}: the fixed bug ships again.`, missingText(item, candidate)].join("\n\n");
  return fitBodyWithTail(visible, releaseCommentMarker(hotfix.number, candidate.sha));
}

/** The hidden marker of the app's answer to the `command` of comment `commentId`. */
export function commandAnswerMarker(commentId: number, command: string): string {
  return `<!-- hotfix-guard:command-answer comment=${commentId} command=${command} -->`;
}

/** The answer to an accepted `/hotfix skip-merge-back`. */
export function renderSkipAnswer(state: ReminderState, target: string, skip: Skip, reminder: number): string {
  return fitBody(
    `➖ @${skip.by} skipped the merge-back of hotfix #${state.hotfix.number} into ${inlineCode(target)}: ${plainText(skip.reason)}\n\nThe reminder #${reminder}, the release guard and the hotfix log show it as skipped (not as present).`,
    300,
  );
}

/** The answer to `/hotfix backport`: the pull request opened or found, or the failure (never a success that did not happen). */
export function renderBackportAnswer(state: ReminderState, row: Row, reminder: number): string {
  const target = inlineCode(row.target);
  if (row.status === "missing" && row.backMerge) {
    return fitBody(`✅ Back-merge pull request #${row.backMerge.number} brings hotfix #${state.hotfix.number} into ${target} (from ${inlineCode(row.backMerge.head)}). Tracked in #${reminder}.`, 300);
  }
  const why = row.status === "missing" && row.backMergeError ? plainText(row.backMergeError) : "GitHub did not say why";
  return fitBody(`❌ Opening the back-merge pull request of hotfix #${state.hotfix.number} into ${target} failed: ${why}. Merge by hand:\n\n${mergeCommands(state, row.target)}`, 300);
}

/** The check run of a back-merge pull request. */
export const BACK_MERGE_CHECK_NAME = "Hotfix Guard: back-merge";
/** The label of a back-merge pull request the app opened that has conflicts. */
export const CONFLICT_LABEL = "hotfix:merge-conflict";

/** The "Hotfix Guard: back-merge" check: conflicts to resolve, conflict markers committed, or clean. */
export function renderBackMergeCheck(hotfix: number | null, conflicting: boolean, markers: readonly AddedMarker[]): CheckRunOutput {
  const what = hotfix === null ? "this hotfix back-merge" : `this back-merge of hotfix #${hotfix}`;
  const parts: string[] = [];
  if (conflicting) {
    parts.push(`❌ GitHub reports merge conflicts in ${what}. Resolve them on the branch (\`git merge\` the target, fix the files, \`git add\`, \`git commit\`, push); this check passes once the pull request merges cleanly.`);
  }
  if (markers.length > 0) {
    const rows = markers.map((marker) => `- ${inlineCode(marker.file)} line ${marker.line}: ${inlineCode(marker.marker)}`);
    parts.push(`❌ The diff adds conflict-marker lines: a conflict was committed unresolved. Remove them and push:\n\n${rows.join("\n")}`);
  }
  const failing = parts.length > 0;
  const title = conflicting && markers.length > 0 ? "Merge conflicts and conflict markers" : conflicting ? "Merge conflicts" : failing ? "Conflict markers added" : "No conflicts";
  const summary = failing ? parts.join("\n\n") : `✅ ${what[0]?.toUpperCase()}${what.slice(1)} merges cleanly as far as GitHub knows and adds no conflict-marker lines.`;
  return fitCheckRun({ name: BACK_MERGE_CHECK_NAME, conclusion: failing ? "failure" : "success", title, summary });
}
