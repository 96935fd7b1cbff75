/**
 * Seed 002's log entry read from a pull request description: seed 002's own field names, seed
 * 001's template, placeholders left as absent, the incident's own time only with a zone, reverts
 * and mentions of earlier hotfixes, and hostile input that yields nothing rather than an error.
 */
import { describe, expect, it } from "vitest";
import { describedEntry, mentionedHotfixes, revertedPullRequests } from "../../src/log/entry.js";
import { policyFrom } from "../helpers/builders.js";

const REPO = "acme/payments";
const SEED_002 = `### 🚨 [HOTFIX-001] Checkout down

**Date/Time:** 2026-11-23 14:05 UTC
**Severity:** 🔴 Critical

#### The Emergency

**Problem:** Checkout rejects every card.
**Impact:** All customers, about 400 orders an hour.
**Why Emergency:** Revenue stopped.

#### The Fix

**Change Made:** Default the currency code.
**Files/Systems Affected:** payments service
**Rollback Plan:** Revert and redeploy.

#### The Context

**Root Cause (Initial):** An empty currency from the cart service.
**Risk Accepted:** No staging run.
**Monitoring:** Checkout error rate.

#### Notes

Follows up HOTFIX-003 and #17; see #42.
`;

describe("the entry a description fills in", () => {
  it("reads seed 002's own fields", () => {
    expect(describedEntry({ number: 42, title: "hotfix", body: SEED_002 }, REPO, policyFrom())).toStrictEqual({
      incidentReference: null,
      severity: "CRITICAL",
      incidentAt: "2026-11-23T14:05:00.000Z",
      problem: "Checkout rejects every card.",
      impact: "All customers, about 400 orders an hour.",
      whyEmergency: "Revenue stopped.",
      changeMade: "Default the currency code.",
      rollbackPlan: "Revert and redeploy.",
      rootCause: "An empty currency from the cart service.",
      riskAccepted: "No staging run.",
      monitoring: "Checkout error rate.",
      reverts: [],
      mentions: ["HOTFIX-001", "HOTFIX-003", "#17"],
    });
  });

  it.each([
    ["template placeholders", "**Problem:** [What was broken/failing]\n**Date/Time:** [YYYY-MM-DD HH:MM]\n**Severity:** [CRITICAL/HIGH]"],
    ["a time without a zone", "**Date/Time:** 2026-11-23 14:05"],
    ["no description", ""],
    ["deeply nested hostile text", `${"> - ".repeat(5_000)}**Problem:** x`],
    ["an enormous body", `**Problem:** ${"a".repeat(200_000)}`],
  ])("leaves fields blank for %s, without throwing", (_case, body) => {
    const entry = describedEntry({ number: 1, title: "t", body }, REPO, null);
    expect(entry.incidentAt).toBeNull();
    expect(entry.severity).toBeNull();
    expect(entry.problem === null || entry.problem.length <= 2_000).toBe(true);
  });

  it("finds the pull requests of this repository a revert names", () => {
    expect(revertedPullRequests('Revert "hotfix"\n\nReverts acme/payments#42\nReverts other/repo#7\nReverts #43', REPO)).toStrictEqual([42, 43]);
    expect(mentionedHotfixes("see #12, #12 and acme/x#9 or HOTFIX-002; not #42", 42)).toStrictEqual(["#12", "HOTFIX-002"]);
  });
});
