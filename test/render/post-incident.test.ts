/**
 * The post-incident review issue as text: the seeds' template sections, the incident linked on
 * purpose while echoed text links nothing, the due time by severity, and the release-tag item
 * that the app ticks by its hidden marker.
 */
import { describe, expect, it } from "vitest";
import { COMPLETE_BODY, NOW, policyFrom } from "../helpers/builders.js";
import { ADMIN_APPROVAL, MERGE_SHA, auditInputs, mergedPr } from "../helpers/audit-builders.js";
import { trackedTag } from "../../src/model/records.js";
import { renderPostIncidentIssue, withTagState } from "../../src/render/post-incident.js";
import { auditMerge } from "../../src/rules/merge-audit.js";

const policy = policyFrom({ post_incident: { due_hours_by_severity: { CRITICAL: 24 } } });

function issueFor(body: string, title = "hotfix(payments): default the currency code") {
  const pr = mergedPr({ body, title });
  const audit = auditMerge(auditInputs({ pr, candidates: [] }), policy, NOW);
  return renderPostIncidentIssue({ repo: "acme/payments", pr, audit, reviews: [ADMIN_APPROVAL], policy, tag: { name: "v1.4.3", state: { kind: "missing" } } });
}

describe("the post-incident review issue", () => {
  it("follows the seeds' template and is due by severity", () => {
    const { body } = issueFor(COMPLETE_BODY);
    for (const heading of ["## Incident Summary", "## Timeline", "## Root Cause Analysis", "## Response Evaluation", "## Prevention Measures", "## Action Items"]) expect(body).toContain(heading);
    expect(body).toContain("**Due:** 2026-11-24 14:50 UTC (24 hours after the merge: severity CRITICAL, post_incident.due_hours_by_severity)");
    expect(body).toContain("**Severity:** CRITICAL");
  });

  it("links the incident issue the description names, and nothing the title or other text names", () => {
    const { title, body } = issueFor(COMPLETE_BODY.replace("INC-4521", "#321 per @oncall"), "fix #12 for @everyone");
    expect(body).toContain("**Incident:** #\u200b321 per @\u200boncall (linked: #321)");
    expect(title).toBe("Post-incident review: fix #\u200b12 for @\u200beveryone (hotfix #42)");
  });

  it("ticks the tag item by its marker, even when the rest of the body was edited", () => {
    const { body } = issueFor(COMPLETE_BODY);
    expect(trackedTag(body)).toStrictEqual({ tag: "v1.4.3", mergeSha: MERGE_SHA });
    const edited = body.replace("## Root Cause Analysis", "## Root Cause Analysis\nThe cache key ignored the currency.");
    const ticked = withTagState(edited, { kind: "on-merge-commit" });
    expect(ticked).toContain("- [x] Tag `v1.4.3` points at the merge commit `9999999` <!-- hotfix-guard:tag v1.4.3");
    expect(ticked).toContain("The cache key ignored the currency.");
    expect(withTagState("no tag item here", { kind: "on-merge-commit" })).toBe("no tag item here");
  });
});
