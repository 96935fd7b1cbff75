/**
 * Post-incident follow-up, as pure functions (seed 001 "Post-Incident Review" and step 6 "tag the
 * merge commit"; seeds 002 and 004 post-mortems within 24-48 hours): when the review is due, the
 * timeline it starts from, the release tag the hotfix branch names, and where that tag stands.
 */
import type { Policy } from "../config/policy.js";
import { declaredSeverity } from "./document.js";
import { reviewsBeforeMerge, shortSha, time, type MergedPullRequest } from "./merge-audit.js";
import type { ReviewFact } from "./types.js";

const HOUR_MS = 3_600_000;

/** The `vX.Y.Z` tag a hotfix branch names, or null when its name carries no version. */
export function expectedTag(headRef: string, policy: Policy): string | null {
  for (const grammar of policy.branchGrammars) {
    if (!grammar.placeholders.includes("version")) continue;
    const version = grammar.match(headRef)?.version;
    if (version) return `v${version}`;
  }
  return null;
}

/** Where the release tag stands. */
export type TagState = { readonly kind: "on-merge-commit" } | { readonly kind: "missing" } | { readonly kind: "elsewhere"; readonly sha: string };

/** Where the tag stands, from the commit it points at (null: it does not exist) and the hotfix's merge commit. */
export function tagStateOf(tagSha: string | null, mergeSha: string | null | undefined): TagState {
  if (tagSha === null) return { kind: "missing" };
  return tagSha === mergeSha ? { kind: "on-merge-commit" } : { kind: "elsewhere", sha: tagSha };
}

/** The due time of the post-incident review: by declared severity when configured (the strictest), else `due_hours`. */
export function postIncidentDue(pr: Pick<MergedPullRequest, "body" | "mergedAt">, policy: Policy): { at: Date; hours: number; source: string } {
  const { due_hours: hours, due_hours_by_severity: bySeverity } = policy.config.post_incident;
  const severity = declaredSeverity(pr.body, policy);
  const named = severity.kind === "hotfix" || severity.kind === "ambiguous" ? severity.values : severity.kind === "not-hotfix" ? [severity.value] : [];
  const configured = new Map(Object.entries(bySeverity).map(([key, value]) => [key.toLowerCase(), value]));
  const matches = named.flatMap((value) => {
    const due = configured.get(value.toLowerCase());
    return due === undefined ? [] : [{ hours: due, source: `severity ${value}, post_incident.due_hours_by_severity` }];
  });
  const chosen = matches.reduce((best, match) => (match.hours < best.hours ? match : best), { hours, source: "post_incident.due_hours" });
  return { at: new Date(time(pr.mergedAt) + chosen.hours * HOUR_MS), ...chosen };
}

/** A moment of the hotfix's timeline, from the pull request's own timestamps. */
export interface TimelineEntry {
  readonly at: string;
  readonly what: string;
}

/** The timeline the follow-up starts from: opened, first approval before the merge, merged. */
export function hotfixTimeline(pr: MergedPullRequest, reviews: readonly ReviewFact[]): TimelineEntry[] {
  const approvals = reviewsBeforeMerge(reviews, pr.mergedAt)
    .filter((review) => review.state === "APPROVED" && review.reviewer.toLowerCase() !== pr.author.toLowerCase())
    .sort((a, b) => time(a.submittedAt) - time(b.submittedAt));
  const first = approvals[0];
  return [
    { at: pr.createdAt, what: "Pull request opened (fix implemented)" },
    ...(first?.submittedAt ? [{ at: first.submittedAt, what: `First approval, by @${first.reviewer}` }] : []),
    { at: pr.mergedAt, what: `Merged into the production branch (merge commit ${shortSha(pr.mergeCommitSha)}); resolution deployed` },
  ];
}
