/**
 * "The justification before the merge" (issue 14): while a hotfix is open, the check run shows
 * what the merge audit will say about its emergency bypass justification form, so the team can
 * fix it before merging rather than learn afterwards. It is the audit's own validation
 * (`justification.ts`), run as if the merge happened now with the bypass grant standing now; only
 * the review wait is left to the audit, which reads the timeline. Always a warning, never a
 * failure: a hotfix that meets the policy needs no justification. Pure.
 */
import type { Policy } from "../config/policy.js";
import type { JustificationCheck } from "../model/justification-form.js";
import { judgeBypass } from "./bypass-grant.js";
import { excerpt } from "./excerpt.js";
import { justificationCandidates, REVIEW_WAIT_ASPECT, validateJustification, type JustificationCandidate } from "./justification.js";
import type { Finding, PullRequestSnapshot } from "./types.js";

const TITLE = "Bypass justification";
const EXPECTED =
  "if the hotfix is merged without meeting the policy: an EMERGENCY BYPASS JUSTIFICATION form (Incident, Bypass Reason, Risk Assessment, Post-Incident Actions, Authorized By, Timestamp) that the audit finds valid";
/** At most this many problems are listed in the row. */
const MAX_LISTED = 4;

function where(candidate: JustificationCandidate): string {
  return candidate.source.kind === "body" ? "in the description" : `in a comment by @${candidate.source.author}`;
}

function problemsText(problems: readonly JustificationCheck[]): string {
  const listed = problems.slice(0, MAX_LISTED).map((check) => `${check.aspect}${check.status === "unverified" ? " (not verified)" : ""}: ${excerpt(check.detail, 160)}`);
  return `${listed.join("; ")}${problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : ""}`;
}

/**
 * The check run's justification row: the latest form (the description's, or a comment's) judged
 * as the audit would judge it now; a missing form is flagged once a bypass was asked for. No row
 * when there is neither a form nor a bypass command, or the snapshot carries no comments.
 */
export function justificationPreviewRule(snapshot: PullRequestSnapshot, policy: Policy, now: Date): Finding[] {
  const facts = snapshot.bypass;
  if (!facts) return [];
  const bypass = judgeBypass({ ...facts, author: snapshot.author, headSha: snapshot.headSha }, policy, now);
  const candidates = justificationCandidates(snapshot.body, facts.comments, facts.ownLogin);
  const row = { rule: "justification-preview", title: TITLE, expected: EXPECTED };
  const candidate = candidates.at(-1);
  if (!candidate) {
    if (bypass.status === "none") return [];
    return [
      {
        ...row,
        status: "warn",
        actual: "no justification form yet; the audit will call a bypass without one unjustified",
        remedy: "Add the EMERGENCY BYPASS JUSTIFICATION section from the hotfix template to the description, with every field filled in.",
      },
    ];
  }
  const context = {
    author: snapshot.author,
    mergedAt: now.toISOString(),
    reviews: snapshot.reviews,
    comments: facts.comments,
    people: facts.people,
    reviewRequests: null,
    bodyFormSeenBefore: true,
    grant: bypass.status === "granted" ? bypass.grant : null,
  };
  const verdict = validateJustification(candidate, context, policy, now);
  const problems = verdict.checks.filter((check) => check.status !== "valid" && check.aspect !== REVIEW_WAIT_ASPECT);
  if (problems.length === 0) {
    const authorised = verdict.checks.find((check) => check.aspect === "Authoriser confirmed")?.detail ?? "";
    return [{ ...row, status: "pass", actual: `complete ${where(candidate)}; ${authorised}` }];
  }
  return [
    {
      ...row,
      status: "warn",
      actual: `present ${where(candidate)}, but the audit would not accept it now: ${problemsText(problems)}`,
      remedy: "Fix the fields listed; the authoriser named in Authorized By confirms with `/hotfix grant-bypass`, `/hotfix authorize` or an approving review.",
    },
  ];
}
