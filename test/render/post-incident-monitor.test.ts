/**
 * Issue 15, seeds 001 and 002: "Monitor production for 30 minutes" after the deploy is an optional
 * action item of the post-incident issue, due when the monitoring time is up.
 */
import { describe, expect, it } from "vitest";
import { COMPLETE_BODY, NOW, policyFrom } from "../helpers/builders.js";
import { ADMIN_APPROVAL, auditInputs, mergedPr } from "../helpers/audit-builders.js";
import { renderPostIncidentIssue } from "../../src/render/post-incident.js";
import { auditMerge } from "../../src/rules/merge-audit.js";

function bodyWith(postIncident: Record<string, unknown>): string {
  const policy = policyFrom({ post_incident: postIncident });
  const pr = mergedPr({ body: COMPLETE_BODY });
  const audit = auditMerge(auditInputs({ pr, candidates: [] }), policy, NOW);
  return renderPostIncidentIssue({ repo: "acme/payments", pr, audit, reviews: [ADMIN_APPROVAL], policy, tag: null }).body;
}

describe("post_incident.monitor_minutes", () => {
  it.each([
    [{ monitor_minutes: 30 }, "- [ ] Monitor production for 30 minutes after the merge (error rates, user reports, performance) - Due: 2026-11-23 15:20 UTC"],
    [{ monitor_minutes: 90 }, "Monitor production for 90 minutes after the merge (error rates, user reports, performance) - Due: 2026-11-23 16:20 UTC"],
  ])("%j lists the monitoring item with its own due time", (config, item) => {
    const body = bodyWith(config);
    expect(body).toContain(item);
    expect(body.indexOf("Monitor production")).toBeLessThan(body.indexOf("Root cause analysis completed"));
  });

  it("lists no monitoring item by default", () => {
    expect(bodyWith({})).not.toContain("Monitor production");
  });
});
