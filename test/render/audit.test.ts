/**
 * The audit comment as text: it stays under GitHub's 65,536 characters however long the quoted
 * text, its hidden record reads back exactly what the verdict stood on, and neither user text
 * nor someone else's comment can plant or forge a record.
 */
import { describe, expect, it } from "vitest";
import { NOW, policyFrom } from "../helpers/builders.js";
import { auditInputs, bodyCandidate, mergedPr } from "../helpers/audit-builders.js";
import { MAX_BODY_LENGTH } from "../../src/markdown/sections.js";
import { readAuditRecord } from "../../src/model/records.js";
import { auditMarker, renderAuditComment, renderAuditIssue, renderDirectPushIssue } from "../../src/render/audit.js";
import { auditMerge } from "../../src/rules/merge-audit.js";
import { type Requirement } from "../../src/model/merge.js";

const policy = policyFrom({ audit: { notify: { users: ["sec-lead"], teams: ["acme/admins"] } } });
const huge = "x".repeat(MAX_BODY_LENGTH);

function requirement(index: number): Requirement {
  return { source: "policy", title: `Rule ${index} ${huge}`, required: huge, present: `@someone #${index} <!-- hotfix-guard:audit pr=1 --> ${huge}`, status: "unmet" };
}

describe("the audit comment", () => {
  it("stays under GitHub's limit with hostile, huge requirement texts and justification fields", () => {
    const candidate = bodyCandidate({ incident: huge.slice(0, 1000), riskAssessment: "@all ".repeat(200) });
    const audit = auditMerge(auditInputs({ requirements: Array.from({ length: 60 }, (_, i) => requirement(i)), candidates: [candidate] }), policy, NOW);
    const body = renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
    expect(body.length).toBeLessThan(MAX_BODY_LENGTH);
    expect(body.split(auditMarker(42))).toHaveLength(2);
    expect(body).not.toContain("<!-- hotfix-guard:audit pr=1 -->");
    expect(body).not.toMatch(/@all/);
    expect(readAuditRecord(body)?.requirements).toHaveLength(60);
  });

  it("keeps the unmet requirements in the record when there are too many to keep them all", () => {
    const row = (i: number, status: Requirement["status"]): Requirement => ({ source: "github", title: `Check ${i}`, required: "r".repeat(300), present: "p".repeat(300), status });
    const met = Array.from({ length: 3000 }, (_, i) => row(i, "met"));
    const audit = auditMerge(auditInputs({ requirements: [...met, row(3000, "unmet")], candidates: [] }), policy, NOW);
    const body = renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
    expect(body.length).toBeLessThan(MAX_BODY_LENGTH);
    const kept = readAuditRecord(body)?.requirements ?? [];
    expect(kept.length).toBeLessThan(3001);
    expect(kept[0]?.status).toBe("unmet");
  });

  it("carries a record that reads back exactly", () => {
    const audit = auditMerge(auditInputs({ requirements: [{ source: "github", title: "GitHub: required check `ci`", required: "passing", present: "failure", status: "unmet" }] }), policy, NOW);
    const body = renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
    expect(readAuditRecord(body)).toStrictEqual(audit.record);
    expect(body).toContain("cc @sec-lead @acme/admins");
  });

  it.each([
    { name: "no record", body: "just text" },
    { name: "a record that is not base64 JSON", body: "<!-- hotfix-guard:audit-record bm90IGpzb24 -->" },
    { name: "a record of the wrong shape", body: `<!-- hotfix-guard:audit-record ${Buffer.from(JSON.stringify({ version: 1, pr: 42 })).toString("base64url")} -->` },
  ])("reads no record from $name", ({ body }) => {
    expect(readAuditRecord(body)).toBeNull();
  });
});

describe("the issues", () => {
  it("keep their bodies under the limit", () => {
    const audit = auditMerge(auditInputs({ requirements: Array.from({ length: 60 }, (_, i) => requirement(i)), candidates: [] }), policy, NOW);
    expect(renderAuditIssue("acme/payments", mergedPr(), audit, policy).body.length).toBeLessThan(MAX_BODY_LENGTH);
    const commits = Array.from({ length: 2000 }, (_, i) => ({ sha: String(i).padStart(40, "0"), message: huge.slice(0, 200), author: "dev", mergedPullRequests: [] }));
    const push = { repo: "acme/payments", branch: "main", pusher: "dev", before: "0".repeat(40), after: "1".repeat(40), forced: false, at: NOW.toISOString(), commits, truncated: false };
    expect(renderDirectPushIssue(push, policy).body.length).toBeLessThan(MAX_BODY_LENGTH);
  });
});
