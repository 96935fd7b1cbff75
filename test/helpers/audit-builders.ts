/**
 * Builders for the merge-audit rule tests: a merged hotfix, the justification form, the facts the
 * audit judges, each passing by default and overridden field by field. Times are around
 * {@link MERGED_AT}: opened 13:00, approved 14:40, merged 14:50, audited 15:00 (NOW).
 */
import { COMPLETE_BODY, HEAD_SHA, snapshot } from "./builders.js";
import { fingerprintFields, type CommentFact, type JustificationCandidate, type JustificationContext } from "../../src/rules/justification.js";
import { type JustificationFields } from "../../src/model/justification-form.js";
import type { AuditRecord } from "../../src/model/merge.js";
import type { AuditInputs, MergedPullRequest, RequirementFacts } from "../../src/rules/merge-audit.js";
import type { ReviewFact } from "../../src/rules/types.js";

export const OPENED_AT = "2026-11-23T13:00:00Z";
export const MERGED_AT = "2026-11-23T14:50:00Z";
export const MERGE_SHA = "9".repeat(40);
export const ADMIN = "sre-admin";
export const AUTHOR = "dev-alice";

/** The six fields of a valid justification: the "production completely down" reason, authorised by {@link ADMIN}. */
export const VALID_FIELDS: JustificationFields = {
  incident: "INC-4521 checkout outage",
  bypassReason: "Production completely down",
  riskAssessment: "CI is down; the fix is one line and covered by a new unit test.",
  postIncidentActions: "Re-run the full CI suite once it is back; retroactive review by the payments team.",
  authorizedBy: `@${ADMIN}`,
  timestamp: "2026-11-23 14:45 UTC",
};

/** The form as Markdown, as a team writes it from seed 001's template. */
export function formMarkdown(fields: Partial<JustificationFields> = {}): string {
  const f = { ...VALID_FIELDS, ...fields };
  return [
    "## 🚨 EMERGENCY BYPASS JUSTIFICATION",
    "",
    `**Incident:** ${f.incident}`,
    `**Bypass Reason:** ${f.bypassReason}`,
    `**Risk Assessment:** ${f.riskAssessment}`,
    `**Post-Incident Actions:** ${f.postIncidentActions}`,
    `**Authorized By:** ${f.authorizedBy}`,
    `**Timestamp:** ${f.timestamp}`,
    "",
  ].join("\n");
}

/** The merged hotfix, its description carrying the form unless told otherwise. */
export function mergedPr(overrides: Partial<MergedPullRequest> = {}): MergedPullRequest {
  const { files: _f, reviews: _r, reviewers: _rv, latestVersionTag: _t, ...facts } = snapshot();
  return {
    ...facts,
    body: `${COMPLETE_BODY}\n${formMarkdown()}`,
    createdAt: OPENED_AT,
    mergedAt: MERGED_AT,
    mergeCommitSha: MERGE_SHA,
    mergedBy: ADMIN,
    ...overrides,
  };
}

/** A body candidate from the given fields. */
export function bodyCandidate(fields: Partial<JustificationFields> = {}): JustificationCandidate {
  const all = { ...VALID_FIELDS, ...fields };
  return { source: { kind: "body" }, fields: all, fingerprint: fingerprintFields(all) };
}

/** A comment, written (and unless told, never edited) at the given time. */
export function comment(id: number, author: string, body: string, createdAt: string, updatedAt = createdAt): CommentFact {
  return { id, author, body, createdAt, updatedAt };
}

/** The admin's approving review, on the head commit, before the merge. */
export const ADMIN_APPROVAL: ReviewFact = { reviewer: ADMIN, state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" };

/** Facts about the people involved: the admin is an admin, senior-bob may review. */
export const PEOPLE = {
  [ADMIN]: { permission: "admin", teams: [], notes: [] },
  "senior-bob": { permission: "write", teams: [], notes: [] },
  "intern-ivy": { permission: "read", teams: [], notes: [] },
};

/** The justification context: the admin approved before the merge. */
export function justificationContext(overrides: Partial<JustificationContext> = {}): JustificationContext {
  return {
    author: AUTHOR,
    mergedAt: MERGED_AT,
    reviews: [ADMIN_APPROVAL],
    comments: [],
    people: PEOPLE,
    reviewRequests: null,
    bodyFormSeenBefore: false,
    ...overrides,
  };
}

/** Facts of a merge that met every requirement: approved, CI passed, GitHub requires `ci` and one approval. */
export function requirementFacts(overrides: Partial<RequirementFacts> = {}): RequirementFacts {
  const pr = overrides.pr ?? mergedPr();
  const reviews = [{ reviewer: "senior-bob", state: "APPROVED" as const, commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }];
  return {
    pr,
    atMerge: snapshot({ body: pr.body, reviews }),
    reviews,
    reviewers: { "senior-bob": { permission: "write", teams: [], notes: [] } },
    rulesets: { status: "read", ruleCount: 2, requiredApprovals: 1, dismissStale: false, requiredChecks: ["ci"] },
    classic: { status: "none" },
    checkRuns: [{ name: "ci", status: "completed", conclusion: "success", startedAt: "2026-11-23T14:30:00Z", completedAt: "2026-11-23T14:35:00Z" }],
    statuses: null,
    protectionChanges: [],
    ...overrides,
  };
}

/** Audit inputs around the given requirements, with the body's form as the only candidate. */
export function auditInputs(overrides: Partial<AuditInputs> = {}): AuditInputs {
  const pr = overrides.pr ?? mergedPr();
  const { bodyFormSeenBefore: _seen, ...context } = justificationContext();
  return {
    pr,
    requirements: [],
    protectionChanges: [],
    rulesetsApply: true,
    ruleSuite: { status: "none" },
    ruleSuiteCheckedAt: "2026-11-23T15:00:00Z",
    candidates: [bodyCandidate()],
    context,
    recorded: null,
    ...overrides,
  };
}

/** The app's audit record of pull request #42's merge commit `mergeCommitSha`: nothing bypassed, nothing followed up, unless overridden. */
export function auditRecord(mergeCommitSha: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    version: 1,
    pr: 42,
    mergeCommitSha,
    auditedAt: "2026-11-23T15:00:00Z",
    requirements: [],
    protectionChanges: [],
    rulesetsApply: false,
    ruleSuite: { status: "not-applicable" },
    ruleSuiteCheckedAt: null,
    seen: {},
    justification: null,
    auditIssue: null,
    auditIssueClosed: false,
    followUp: null,
    ...overrides,
  };
}
