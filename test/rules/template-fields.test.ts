/**
 * Issue 15: a required `**Field:**` that is deleted fails like one left as a placeholder, and the
 * remedies name the repository's own template file (`template.path`) or say none is configured.
 */
import { describe, expect, it } from "vitest";
import { templateRule } from "../../src/rules/template.js";
import type { Finding } from "../../src/rules/types.js";
import { COMPLETE_BODY, NOW, policyFrom, snapshot } from "../helpers/builders.js";

function templateRow(body: string, config: unknown = null): Finding {
  const row = templateRule(snapshot({ body }), policyFrom(config), NOW).find((finding) => finding.rule === "template");
  if (!row) throw new Error("no template row");
  return row;
}

function without(line: string, body = COMPLETE_BODY): string {
  if (!body.includes(line)) throw new Error(`body lacks ${line}`);
  return body.replace(`${line}\n`, "");
}

const ROLLBACK = "**Rollback Plan:** Revert the merge commit and redeploy.";
const RISKS = "**Risks Accepted:** Shortened review.";
const MONITORING = "**Monitoring Plan:** Watch the checkout error rate for 30 minutes.";

describe("required fields of a heading section (seed 001's Risk Assessment)", () => {
  it.each([
    ["left as TBD", COMPLETE_BODY.replace(ROLLBACK, "**Rollback Plan:** TBD"), "Rollback Plan (Risk Assessment): 'TBD' is not an answer"],
    ["deleted", without(ROLLBACK), "Rollback Plan (Risk Assessment): missing"],
    ["deleted with the other two", without(MONITORING, without(RISKS, without(ROLLBACK))), "Risks Accepted (Risk Assessment): missing; Rollback Plan (Risk Assessment): missing; Monitoring Plan (Risk Assessment): missing"],
  ])("fails a Rollback Plan %s", (_, body, actual) => {
    const row = templateRow(body);
    expect(row.status).toBe("fail");
    expect(row.actual).toContain(actual);
    expect(row.remedy).toContain("Write real content");
  });

  it.each([
    ["under the heading", COMPLETE_BODY],
    ["as its own heading elsewhere", without(ROLLBACK) + "\n### Rollback Plan\nRevert the merge commit.\n"],
  ])("passes the Rollback Plan %s", (_, body) => {
    expect(templateRow(body).status).toBe("pass");
  });

  it("fails a Rollback Plan heading elsewhere that is only a placeholder", () => {
    const row = templateRow(without(ROLLBACK) + "\n### Rollback Plan\n[How to revert if fix fails]\n");
    expect(row.status).toBe("fail");
    expect(row.actual).toContain("Rollback Plan (Risk Assessment): still the template placeholder");
  });

  it("lets a configured section name its own fields", () => {
    const config = { template: { sections: [{ name: "Risk Assessment", fields: ["Rollback Plan"] }] } };
    expect(templateRow(without(MONITORING, without(RISKS)), config).status).toBe("pass");
    expect(templateRow(without(ROLLBACK), config).actual).toBe("Rollback Plan (Risk Assessment): missing.");
  });
});

describe("the expected-layout pointer names the configured template", () => {
  const unfilled = COMPLETE_BODY.replace("Revert the merge commit and redeploy.", "[How to revert]");
  it.each([
    ["the default", null, "The expected layout is in `.github/PULL_REQUEST_TEMPLATE/hotfix.md`."],
    ["seed 004's template", { template: { path: ".github/PULL_REQUEST_TEMPLATE/kars-hotfix.md" } }, "The expected layout is in `.github/PULL_REQUEST_TEMPLATE/kars-hotfix.md`."],
    ["no template", { template: { path: null } }, "No PR template file is configured (`template.path`)"],
  ])("%s", (_, config, pointer) => {
    expect(templateRow(unfilled, config).remedy).toContain(pointer);
  });

  it.each([
    [".github/PULL_REQUEST_TEMPLATE/kars-hotfix.md", "?template=kars-hotfix.md"],
    ["docs/hotfix-template.md", null],
  ])("pre-fill link for an empty description with %s", (path, query) => {
    const remedy = templateRow("", { template: { path } }).remedy ?? "";
    expect(remedy).toContain(`Paste \`${path}\``);
    if (query) expect(remedy).toContain(query);
    else expect(remedy).not.toContain("?template=");
  });

  it("lists the sections for an empty description when no template is configured", () => {
    const remedy = templateRow("", { template: { path: null } }).remedy ?? "";
    expect(remedy).not.toContain("Paste");
    expect(remedy).toContain("Incident Reference");
  });
});
