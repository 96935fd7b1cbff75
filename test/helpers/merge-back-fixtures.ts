/**
 * Merge-back scenarios: a merged hotfix delivery, a back-merge merged into a target, pushes to a
 * target, and reminders the app opened earlier (rendered by the app's own renderer, as GitHub
 * would hold them). Payloads come from `@octokit/webhooks-examples` via fixtures.ts.
 */
import { renderReminderBody } from "../../src/render/merge-back.js";
import type { HotfixFacts, ReminderState, Row } from "../../src/model/merge-back.js";
import { HEAD_SHA, NOW } from "./builders.js";
import { pullRequestEvent, pullRequestObject, pushEvent, type PullRequestShape } from "./fixtures.js";

/** The hotfix's merge commit on main (a merge commit, or the squash commit). */
export const MERGE_SHA = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
/** The commit main pointed at before the merge. */
export const MAIN_BEFORE = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
/** When the hotfix was merged: 10 minutes before the test clock. */
export const MERGED_AT = "2026-11-23T14:50:00Z";
/** The hotfix branch of the default scenario. */
export const HOTFIX_BRANCH = "hotfix/v1.4.3-default-currency";

/** A `pull_request.closed` delivery of a merged pull request (a hotfix into main by default). */
export function mergedPullRequestEvent(shape: PullRequestShape = {}, merge: { mergeSha?: string; mergedAt?: string } = {}): ReturnType<typeof pullRequestEvent> {
  const pr = { ...pullRequestObject(shape), state: "closed", merged: true, merge_commit_sha: merge.mergeSha ?? MERGE_SHA, merged_at: merge.mergedAt ?? MERGED_AT, closed_at: merge.mergedAt ?? MERGED_AT };
  return pullRequestEvent("closed", shape, { pull_request: pr });
}

/** A `pull_request.closed` delivery of a pull request closed without merging. */
export function closedUnmergedEvent(shape: PullRequestShape = {}): ReturnType<typeof pullRequestEvent> {
  return pullRequestEvent("closed", shape, { pull_request: { ...pullRequestObject(shape), state: "closed", merged: false, merged_at: null } });
}

/** A `push` delivery of one commit to a branch. */
export function branchPushEvent(branch: string, after = "8".repeat(40)): ReturnType<typeof pushEvent> {
  return pushEvent(branch, { modified: ["src/payments/charge.ts"] }, after);
}

/** The facts of the default hotfix (#42, merged with a merge commit), with overrides. */
export function hotfixFacts(overrides: Partial<HotfixFacts> = {}): HotfixFacts {
  return {
    number: 42,
    title: "hotfix(payments): default the currency code",
    author: "dev-alice",
    headRef: HOTFIX_BRANCH,
    headSha: HEAD_SHA,
    headInRepository: true,
    mergeSha: MERGE_SHA,
    mergedAt: MERGED_AT,
    method: "merge",
    commits: [HEAD_SHA],
    since: "2026-11-23T13:00:00Z",
    ...overrides,
  };
}

/** A reminder state of the default hotfix with the given rows. */
export function reminderState(rows: Row[], overrides: Partial<ReminderState> = {}, hotfix: Partial<HotfixFacts> = {}): ReminderState {
  return { version: 1, repository: "acme/payments", production: "main", hotfix: hotfixFacts(hotfix), rows, escalatedAt: null, ...overrides };
}

/** The body GitHub holds for a reminder the app opened earlier (escalating 24 hours after the merge unless said otherwise). */
export function reminderBody(state: ReminderState, escalateAfterHours = 24): string {
  return renderReminderBody(state, new Date(Date.parse(state.hotfix.mergedAt) + escalateAfterHours * 3_600_000));
}

/** The test clock shifted by some hours. */
export function hoursAfterNow(hours: number): Date {
  return new Date(NOW.getTime() + hours * 3_600_000);
}
