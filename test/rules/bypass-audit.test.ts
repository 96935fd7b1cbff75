/**
 * The audit of a merge that used the emergency path: a grant standing at the merge for the merged
 * head commit is the authority the justification is confirmed by; an expired grant, one for an
 * earlier commit or one edited after the merge counts for nothing, and the audit says why. Every
 * request, grant and denial is in the audit record.
 */
import { describe, expect, it } from "vitest";
import { auditMerge } from "../../src/rules/merge-audit.js";
import { renderAuditComment } from "../../src/render/audit.js";
import { grantBindingMarker, readAuditRecord } from "../../src/model/records.js";
import type { CommentFact } from "../../src/model/merge.js";
import type { Requirement } from "../../src/model/merge.js";
import { ADMIN, AUTHOR, PEOPLE, auditInputs, comment, mergedPr } from "../helpers/audit-builders.js";
import { HEAD_SHA, NOW, policyFrom } from "../helpers/builders.js";

const OWN = "hotfix-guard[bot]";
const policy = policyFrom();
const UNMET: Requirement = { source: "policy", title: "Approvals", required: "1 approving review", present: "none", status: "unmet" };

function mergeWith(comments: CommentFact[]) {
  const { bodyFormSeenBefore: _seen, ...base } = { bodyFormSeenBefore: false };
  const inputs = auditInputs({ requirements: [UNMET] });
  return auditMerge(
    { ...inputs, context: { ...inputs.context, reviews: [], comments, ...base }, bypass: { comments, ownLogin: OWN, people: PEOPLE } },
    policy,
    NOW,
  );
}

function grant(args: string, sha = HEAD_SHA, updatedAt?: string): CommentFact[] {
  return [
    comment(1, AUTHOR, "/hotfix request-bypass Production completely down", "2026-11-23T13:55:00Z"),
    comment(2, ADMIN, `/hotfix grant-bypass ${args}`.trim(), "2026-11-23T14:00:00Z", updatedAt),
    comment(3, OWN, grantBindingMarker(2, sha), "2026-11-23T14:00:00Z"),
  ];
}

function rendered(audit: ReturnType<typeof auditMerge>): string {
  return renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
}

describe("the audit of a merge made on a bypass grant", () => {
  it("a valid grant: justified, with the grant as the authority, and every command in the record", () => {
    const audit = mergeWith(grant("2h"));
    expect(audit.verdict).toBe("bypass");
    expect(audit.justified).toBe(true);
    expect(audit.justification?.verdict.confirmation).toStrictEqual({ kind: "grant", login: ADMIN, id: 2, at: "2026-11-23T14:00:00Z" });
    expect(audit.record.bypass?.status).toBe("granted");
    expect(audit.record.bypass?.commands.map((c) => [c.command, c.counted])).toStrictEqual([
      ["request-bypass", true],
      ["grant-bypass", true],
    ]);
    const body = rendered(audit);
    expect(body).toContain("bypass, justified");
    expect(body).toContain(`granted the bypass (\`/hotfix grant-bypass\`) at 2026-11-23 14:00 UTC, until 2026-11-23 16:00 UTC, for commit ${HEAD_SHA.slice(0, 7)}`);
    expect(body).toContain("### Bypass requests and grants");
    expect(readAuditRecord(body)?.bypass).toStrictEqual(audit.record.bypass);
  });

  it("an expired grant: not justified, and the audit says it had expired at the merge", () => {
    const audit = mergeWith(grant("30m"));
    expect(audit.justified).toBe(false);
    expect(audit.bypass?.status).toBe("expired");
    const body = rendered(audit);
    expect(body).toContain("bypass, not justified");
    expect(body).toContain("expired at 2026-11-23 14:30 UTC: the grant had expired at the merge, so it counted for nothing.");
  });

  it("a grant for an earlier commit: not justified, and the audit says so", () => {
    const audit = mergeWith(grant("2h", "0".repeat(40)));
    expect(audit.justified).toBe(false);
    expect(rendered(audit)).toContain("the grant was for an earlier commit than the one merged, so it counted for nothing.");
  });

  it("an edited grant: not justified, and the command is listed with why it did not count", () => {
    const audit = mergeWith(grant("2h", HEAD_SHA, "2026-11-23T14:20:00Z"));
    expect(audit.justified).toBe(false);
    expect(rendered(audit)).toContain("did not count: the comment was edited at 2026-11-23 14:20 UTC");
  });

  it("a grant later denied: not justified", () => {
    const audit = mergeWith([...grant("2h"), comment(4, ADMIN, "/hotfix deny-bypass the fix broke staging", "2026-11-23T14:20:00Z")]);
    expect(audit.justified).toBe(false);
    expect(audit.bypass?.status).toBe("denied");
  });

  it("a grant edited after the verdict withdraws the authorisation on the next run", () => {
    const first = mergeWith(grant("2h"));
    const edited = grant("2h", HEAD_SHA, "2026-11-23T15:30:00Z");
    const inputs = auditInputs({ requirements: [UNMET], recorded: first.record });
    const again = auditMerge({ ...inputs, context: { ...inputs.context, reviews: [], comments: edited }, bypass: { comments: edited, ownLogin: OWN, people: PEOPLE } }, policy, NOW);
    expect(again.justified).toBe(false);
    expect(again.withdrawals).toStrictEqual([expect.stringContaining("their `/hotfix grant-bypass` comment of 2026-11-23 14:00 UTC was edited after the audit")]);
  });
});
