/**
 * The deployment gate's decision, table-driven: what a hotfix's audit and check make of a
 * deployment. A hotfix merged as a justified bypass fails its check by design, so its audit alone
 * decides; an unjustified bypass, or an open hotfix whose check fails, holds the deployment.
 */
import { describe, expect, it } from "vitest";
import { decideDeployment, type GatedHotfix } from "../../src/rules/deployment-gate.js";
import { policyFrom } from "../helpers/builders.js";

const POLICY = policyFrom();
const SHA = "9".repeat(40);

describe("decideDeployment", () => {
  it.each<{ name: string; hotfix: GatedHotfix; state: "approved" | "rejected" }>([
    { name: "a compliant merge", hotfix: { number: 42, merged: true, audit: { unmet: 0, justified: false }, check: "success" }, state: "approved" },
    { name: "a justified bypass whose check failed", hotfix: { number: 42, merged: true, audit: { unmet: 1, justified: true }, check: "failure" }, state: "approved" },
    { name: "an unjustified bypass", hotfix: { number: 42, merged: true, audit: { unmet: 1, justified: false }, check: "failure" }, state: "rejected" },
    { name: "an open hotfix whose check fails", hotfix: { number: 42, merged: false, audit: null, check: "failure" }, state: "rejected" },
  ])("$name: $state", ({ hotfix, state }) => {
    const decision = decideDeployment("production", SHA, [hotfix], POLICY);
    expect(decision.kind === "decide" ? decision.state : decision.kind).toBe(state);
  });

  it("waits while a merged hotfix has no audit record", () => {
    expect(decideDeployment("production", SHA, [{ number: 42, merged: true, audit: null, check: "failure" }], POLICY).kind).toBe("wait");
  });
});
