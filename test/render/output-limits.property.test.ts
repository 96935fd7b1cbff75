/**
 * Every comment, issue and pull request the app writes stays within GitHub's limits whatever the
 * size of the text it quotes (issue 9, defect 5): audit comment and issues, protection log,
 * post-incident review, merge-back reminder, notes and back-merge pull request. Each hidden
 * marker or record the app looks up survives the cut. Text the app keeps in a hidden record is
 * as long as GitHub or the parser lets it be (a justification field, a title, a branch name);
 * the visible text around it is of any size.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { policyFrom, NOW } from "../helpers/builders.js";
import { auditInputs, bodyCandidate, mergedPr } from "../helpers/audit-builders.js";
import { reminderState } from "../helpers/merge-back-fixtures.js";
import { parseReminder, readAuditRecord } from "../../src/model/records.js";
import { auditMarker, renderAuditComment, renderAuditIssue, renderDirectPushIssue, renderProtectionLogIssue } from "../../src/render/audit.js";
import {
  renderBackMergePullRequest,
  renderClosingComment,
  renderCompleteNote,
  renderEscalationComment,
  renderReminderBody,
  renderReminderTitle,
} from "../../src/render/merge-back.js";
import { postIncidentMarker, renderPostIncidentIssue } from "../../src/render/post-incident.js";
import { MAX_FIELD_LENGTH } from "../../src/rules/justification.js";
import { auditMerge } from "../../src/rules/merge-audit.js";
import { type Requirement } from "../../src/model/merge.js";
import type { Row } from "../../src/model/merge-back.js";

/** GitHub's limits, written out here so the test does not trust the module under test. */
const GITHUB_LIMITS = { body: 65_536, issueTitle: 256 };
const policy = policyFrom({ audit: { notify: { users: ["sec-lead"] } } });
const text = fc.integer({ min: 0, max: 120_000 }).chain((size) => fc.constantFrom("`", "@a ", "x", "\n", "|", "é").map((unit) => unit.repeat(Math.ceil(size / unit.length))));

function expectIssue(issue: { title: string; body: string }): void {
  expect(issue.title.length).toBeLessThanOrEqual(GITHUB_LIMITS.issueTitle);
  expect(issue.body.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
}

describe("GitHub's limits for what the merge audit writes", () => {
  it("holds for the audit comment, audit issues, protection log and post-incident review, markers kept", () => {
    fc.assert(
      fc.property(text, text, (big, other) => {
        const pr = mergedPr({ title: big, headRef: `hotfix/${other}`, baseRef: big.slice(0, 5_000), body: `${other}\n**Incident Reference:** ${big}\n**Severity:** ${other}` });
        const requirement: Requirement = { source: "policy", title: big, required: other, present: big, status: "unmet" };
        const fields = { incident: big.slice(0, MAX_FIELD_LENGTH), riskAssessment: other.slice(0, MAX_FIELD_LENGTH) };
        const audit = auditMerge(auditInputs({ pr, requirements: [requirement, requirement], candidates: [bodyCandidate(fields)] }), policy, NOW);
        const comment = renderAuditComment({ repo: "acme/payments", pr, audit, policy, auditIssue: { status: "failed", reason: big }, followUp: { status: "not-needed" }, labelProblems: [big] });
        expect(comment.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
        expect(comment).toContain(auditMarker(42));
        expect(readAuditRecord(comment)?.pr).toBe(42);
        expectIssue(renderAuditIssue("acme/payments", pr, audit, policy));
        const push = { repo: "acme/payments", branch: big, pusher: "dev-alice", before: "1".repeat(40), after: "2".repeat(40), forced: true, at: "2026-11-23T15:00:00Z", truncated: false };
        expectIssue(renderDirectPushIssue({ ...push, commits: [{ sha: "3".repeat(40), message: big, author: other, mergedPullRequests: [] }] }, policy));
        expectIssue(renderProtectionLogIssue("acme/payments", big));
        const followUp = renderPostIncidentIssue({ repo: "acme/payments", pr, audit, reviews: [], policy, tag: { name: "v1.4.3", state: { kind: "missing" } } });
        expectIssue(followUp);
        expect(followUp.body).toContain(postIncidentMarker(42));
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe("GitHub's limits for what merge-back writes", () => {
  it("holds for the reminder, its notes, its escalation and the back-merge pull request, state kept", () => {
    fc.assert(
      fc.property(text, text, (big, other) => {
        const count = Math.min(150, 1 + Math.floor(big.length / 300));
        const rows: Row[] = [
          ...Array.from({ length: count }, (_, i): Row => ({ target: `release/${i}${big.slice(0, 50)}`, status: "missing", backMergeError: other.slice(0, 30) })),
          { target: `release/${other.slice(0, 200)}`, status: "done", evidence: { via: "pull-request", number: 50 } },
          { target: "release/2.0", status: "absent" },
        ];
        const state = reminderState(rows, {}, { title: big.slice(0, 256), headRef: `hotfix/${other.slice(0, 200)}` });
        expect(renderReminderTitle(state).length).toBeLessThanOrEqual(GITHUB_LIMITS.issueTitle);
        const body = renderReminderBody(state, new Date("2026-11-24T14:50:00Z"));
        expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
        expect(parseReminder(body)).toStrictEqual(state);
        expect(renderCompleteNote(state, { kind: "gone" }).length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
        expect(renderClosingComment(state, { kind: "gone" }).length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
        expect(renderEscalationComment(state, ["dev-alice"], 24, NOW).length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
        expectIssue(renderBackMergePullRequest(state, big, 7));
        expect(renderEscalationComment(state, Array.from({ length: count }, (_, i) => `user-${i}`), 24, NOW).length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});
