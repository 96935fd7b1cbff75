/**
 * A realistic hotfix, event by event, as the handlers record it: opened, review requested,
 * reviewed, check verdicts, merged with its audit, post-incident issue, tagged, deployed, merged
 * back, post-incident closed. Each step is a function of a recorder, so tests can replay them in
 * any order, twice, or from a backfill.
 */
import type { HotfixRecorder, PullRequestFields } from "../../src/log/recorder.js";
import type { MergeAudit } from "../../src/rules/merge-audit.js";
import { COMPLETE_BODY, policyFrom } from "../helpers/builders.js";

export const REPO = "acme/payments";
export const POLICY = policyFrom();

/** The hotfix pull request as a webhook gives it at `updatedAt`. */
export function hotfixPr(number: number, updatedAt: string, overrides: Partial<PullRequestFields> = {}): PullRequestFields {
  return {
    number,
    title: "hotfix(payments): default the currency code",
    body: `**Date/Time:** 2026-11-23 14:05 UTC\n${COMPLETE_BODY}`,
    user: { login: "dev-alice" },
    head: { ref: "hotfix/v1.4.3-default-currency", sha: "a".repeat(40) },
    base: { ref: "main" },
    state: "open",
    created_at: "2026-11-23T14:20:00Z",
    updated_at: updatedAt,
    html_url: `https://github.com/${REPO}/pull/${number}`,
    additions: 12,
    deletions: 3,
    changed_files: 2,
    ...overrides,
  };
}

/** A compliant audit. */
export const COMPLIANT: Pick<MergeAudit, "verdict" | "justified" | "unmet" | "justification"> = { verdict: "compliant", justified: false, unmet: [], justification: null };

/** One step of the hotfix's life. */
export type Step = (recorder: HotfixRecorder) => Promise<unknown>;

/** The steps of hotfix #`number`, in the order they happened. */
export function lifeOf(number: number): Step[] {
  const mergeSha = `${number}`.padStart(40, "b");
  return [
    (r) => r.pullRequest(REPO, hotfixPr(number, "2026-11-23T14:20:00Z"), POLICY),
    (r) => r.reviewRequested(REPO, hotfixPr(number, "2026-11-23T14:21:00Z"), { reviewer: "senior-bob" }, "dev-alice"),
    (r) => r.checkVerdict(REPO, number, { sha: "a".repeat(40), conclusion: "failure", title: "1 rule failing" }),
    (r) => r.review(REPO, hotfixPr(number, "2026-11-23T14:35:00Z"), { id: 9001, user: { login: "senior-bob" }, state: "APPROVED", submitted_at: "2026-11-23T14:35:00Z" }),
    (r) => r.merged(REPO, { number, mergedAt: "2026-11-23T14:50:00Z", mergedBy: "senior-bob", mergeCommitSha: mergeSha, headRef: "hotfix/v1.4.3-default-currency", files: ["src/pay.ts", "test/pay.test.ts"] }, COMPLIANT, POLICY),
    (r) => r.postIncidentOpened(REPO, number, { repo: REPO, number: 500 + number, openedAt: "2026-11-23T14:51:00Z", url: null }, "2026-11-25T14:50:00Z"),
    (r) => r.deployed(REPO, { id: 77, sha: mergeSha, ref: "main", environment: "production", at: "2026-11-23T15:02:00Z", actor: "deploy-bot", url: null }),
    (r) => r.mergeBack(REPO, number, [{ target: "develop", doneAt: "2026-11-23T16:00:00Z", evidence: "pull request #61" }], { repo: REPO, number: 600 }),
    (r) => r.postIncidentClosed(REPO, { number: 500 + number, closedAt: "2026-11-24T10:00:00Z", at: "2026-11-24T10:00:00Z", actor: "dev-alice", url: null }),
  ];
}

/** A deterministic shuffle, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
