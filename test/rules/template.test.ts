import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Policy } from "../../src/config/policy.js";
import { templateRule } from "../../src/rules/template.js";
import type { Finding } from "../../src/rules/types.js";
import { COMPLETE_BODY, NOW, policyFrom, snapshot } from "../helpers/builders.js";

const TEMPLATE_PATH = ".github/PULL_REQUEST_TEMPLATE/hotfix.md";
const UNFILLED_TEMPLATE = readFileSync(new URL(`../../${TEMPLATE_PATH}`, import.meta.url), "utf8");
const DEFAULT_POLICY = policyFrom();
const NOT_A_HOTFIX = "not a hotfix: use the regular release process";
const RULE_IDS = ["template", "severity", "incident-reference", "testing"];

function findingsFor(body: string, policy: Policy = DEFAULT_POLICY): Finding[] {
  return templateRule(snapshot({ body }), policy, NOW);
}

/** The one row a rule id produced; fails the test when there is not exactly one. */
function rowOf(body: string, rule: string, policy: Policy = DEFAULT_POLICY): Finding {
  const rows = findingsFor(body, policy).filter((finding) => finding.rule === rule);
  expect(rows).toHaveLength(1);
  return rows[0] as Finding;
}

/** COMPLETE_BODY with one exact piece of text replaced; throws when the text is not there. */
function edited(from: string, to: string, body = COMPLETE_BODY): string {
  if (!body.includes(from)) throw new Error(`test body does not contain ${JSON.stringify(from)}`);
  return body.replace(from, to);
}

const ISSUE_DESCRIPTION = "### Issue Description\nThe payment gateway client sends an empty currency code, so every charge is rejected.\n";
const FIX_IMPLEMENTATION = "### Fix Implementation\nDefault the currency to the account's currency when the cart has none.\n";
const RISK_ASSESSMENT = `### Risk Assessment
**Risks Accepted:** Shortened review.
**Rollback Plan:** Revert the merge commit and redeploy.
**Monitoring Plan:** Watch the checkout error rate for 30 minutes.
`;
const TESTING_PERFORMED = `### Testing Performed
- [x] Existing tests pass
- [x] New test validates fix
- [ ] Manual validation: N/A: no staging access during the outage
- [ ] Staging validation: N
`;

describe("templateRule on whole descriptions", () => {
  it("passes every row of a completely filled-in template, in check-run order", () => {
    const findings = findingsFor(COMPLETE_BODY);
    expect(findings.map((finding) => [finding.rule, finding.title, finding.status])).toStrictEqual([
      ["template", "PR template", "pass"],
      ["severity", "Severity", "pass"],
      ["incident-reference", "Incident reference", "pass"],
      ["testing", "Testing performed", "pass"],
    ]);
    expect(findings.every((finding) => finding.actual.length > 0 && finding.remedy === undefined)).toBe(true);
  });

  it.each([
    ["template", "still the template placeholder `[Why this couldn't wait]`"],
    ["template", "Rollback Plan (Risk Assessment): still the template placeholder `[How to revert if fix fails]`"],
    ["severity", "still the template placeholder `[CRITICAL/HIGH]`"],
    ["incident-reference", "still the template placeholder `#[incident-number]`"],
    ["testing", "`Existing tests pass`: not ticked; `New test validates fix`: not ticked"],
  ])("fails the unfilled template file on %s: %s", (rule, actual) => {
    const finding = rowOf(UNFILLED_TEMPLATE, rule);
    expect(finding.status).toBe("fail");
    expect(finding.actual).toContain(actual);
    expect(finding.remedy).toBeTruthy();
  });

  it("passes the template file once every placeholder is replaced and the required boxes ticked", () => {
    const filled = UNFILLED_TEMPLATE.replace("#[incident-number]", "#4521")
      .replace("[CRITICAL/HIGH]", "HIGH")
      .replace(/\[([^\]\n]{2,})\]/g, "Filled in: $1")
      .replace("- [ ] Existing tests pass", "- [x] Existing tests pass")
      .replace("- [ ] New test validates fix", "- [x] New test validates fix");
    expect(findingsFor(filled).map((finding) => [finding.rule, finding.status])).toStrictEqual(RULE_IDS.map((rule) => [rule, "pass"]));
  });

  it("points the unfilled template to the template file", () => {
    expect(rowOf(UNFILLED_TEMPLATE, "template").remedy).toContain(TEMPLATE_PATH);
  });

  it.each(["", "  \n\n "])("says an empty description (%j) is empty and how to use the template", (body) => {
    const finding = rowOf(body, "template");
    expect(finding).toMatchObject({ status: "fail", actual: "The PR description is empty." });
    expect(finding.remedy).toContain(TEMPLATE_PATH);
    expect(finding.remedy).toContain("?template=hotfix.md");
    expect(finding.remedy).toContain("/compare/main...hotfix/v1.4.3-default-currency?quick_pull=1&template=hotfix.md");
  });

  it("says when a description longer than 65,536 characters was only partly read", () => {
    const finding = rowOf(`${COMPLETE_BODY}\n${"padding ".repeat(10_000)}`, "template");
    expect(finding.status).toBe("pass");
    expect(finding.actual).toContain("longer than 65,536 characters");
  });

  it("reports a section beyond the first 65,536 characters as missing, and why", () => {
    const body = `${edited(ISSUE_DESCRIPTION, "")}\n${"padding ".repeat(10_000)}\n${ISSUE_DESCRIPTION}`;
    const finding = rowOf(body, "template");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toContain("Issue Description: missing");
    expect(finding.actual).toContain("only the first 65,536 were read");
  });

  it("gives the same findings whatever the time", () => {
    const body = edited("**Severity:** CRITICAL", "**Severity:** P2");
    expect(templateRule(snapshot({ body }), DEFAULT_POLICY, new Date(0))).toStrictEqual(findingsFor(body));
  });
});

describe("template row: free-text sections", () => {
  it.each([
    ["Emergency Justification", "**Emergency Justification:** Checkout fails for every customer since the 14:05 deploy.\n"],
    ["Issue Description", ISSUE_DESCRIPTION],
    ["Fix Implementation", FIX_IMPLEMENTATION],
    ["Risk Assessment", RISK_ASSESSMENT],
  ])("fails when %s is missing, naming the heading to add", (name, section) => {
    const finding = rowOf(edited(section, ""), "template");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toBe(`${name}: missing.`);
    expect(finding.remedy).toContain(`\`### ${name}\``);
    expect(finding.remedy).toContain(TEMPLATE_PATH);
  });

  it("lists every missing section in one row", () => {
    const finding = rowOf(edited(FIX_IMPLEMENTATION, "", edited(ISSUE_DESCRIPTION, "")), "template");
    expect(finding.actual).toBe("Issue Description: missing; Fix Implementation: missing.");
    expect(finding.remedy).toContain("Add `### Issue Description` and `### Fix Implementation`");
  });

  it.each([
    [
      "content only in an HTML comment",
      ISSUE_DESCRIPTION,
      "### Issue Description\n<!-- The gateway rejects every charge. -->\n",
      "Issue Description: empty",
      "under the `Issue Description` heading",
    ],
    ["a heading with nothing under it", FIX_IMPLEMENTATION, "### Fix Implementation\n", "Fix Implementation: empty", "under the `Fix Implementation` heading"],
    ["TBD", FIX_IMPLEMENTATION, "### Fix Implementation\nTBD\n", "Fix Implementation: 'TBD' is not an answer", "under the `Fix Implementation` heading"],
    [
      "the template placeholder",
      "**Emergency Justification:** Checkout fails for every customer since the 14:05 deploy.",
      "**Emergency Justification:** [Why this couldn't wait]",
      "Emergency Justification: still the template placeholder `[Why this couldn't wait]`",
      "after `**Emergency Justification:**`",
    ],
    [
      "an unfilled Rollback Plan",
      "**Rollback Plan:** Revert the merge commit and redeploy.",
      "**Rollback Plan:** TBD",
      "Rollback Plan (Risk Assessment): 'TBD' is not an answer",
      "after `**Rollback Plan:**` (under `Risk Assessment`)",
    ],
    [
      "a Monitoring Plan only in a comment",
      "**Monitoring Plan:** Watch the checkout error rate for 30 minutes.",
      "**Monitoring Plan:** <!-- dashboards -->",
      "Monitoring Plan (Risk Assessment): empty",
      "after `**Monitoring Plan:**` (under `Risk Assessment`)",
    ],
  ])("fails %s, saying why and where to write", (_, from, to, actual, where) => {
    const finding = rowOf(edited(from, to), "template");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toBe(`${actual}.`);
    expect(finding.remedy).toContain(`Write real content ${where}`);
  });

  it.each([
    ["a heading with emoji and another case", ISSUE_DESCRIPTION, ISSUE_DESCRIPTION.replace("### Issue Description", "## 📝 issue DESCRIPTION")],
    ["a field instead of a heading", FIX_IMPLEMENTATION, "**Fix Implementation:** Default the currency to the account's currency.\n"],
    ["a heading instead of a field", "**Emergency Justification:** Checkout fails", "### Emergency Justification\nCheckout fails"],
  ])("accepts %s", (_, from, to) => {
    expect(rowOf(edited(from, to), "template").status).toBe("pass");
  });

  it("accepts a free-text Risk Assessment when the section names no required fields", () => {
    const sections = policyFrom().config.template.sections.map((section) => (typeof section !== "string" && section.name === "Risk Assessment" ? "Risk Assessment" : section));
    const body = edited(RISK_ASSESSMENT, "### Risk Assessment\nLow: a one-line default, reverted by reverting the merge.\n");
    expect(rowOf(body, "template", policyFrom({ template: { sections } })).status).toBe("pass");
  });

  it("skips the row when no free-text section is configured", () => {
    const policy = policyFrom({ template: { sections: [{ name: "Severity", hotfix: ["CRITICAL"] }] } });
    expect(findingsFor("", policy).map((finding) => [finding.rule, finding.status])).toStrictEqual([
      ["template", "skip"],
      ["severity", "fail"],
    ]);
  });

  it("never requires Post-Deployment Actions, even when configured", () => {
    const policy = policyFrom({
      template: { sections: ["Issue Description", "Post-Deployment Actions", { name: "Post-Deployment Actions", required_checkboxes: ["Monitor production"] }] },
    });
    const unticked = edited("- [ ] Monitor production for 30 minutes", "- [ ] Monitor production for 30 minutes\n- [ ] Verify issue resolution");
    expect(findingsFor(unticked, policy).map((finding) => [finding.rule, finding.status])).toStrictEqual([["template", "pass"]]);
    expect(findingsFor(unticked).every((finding) => finding.status === "pass")).toBe(true);
  });
});

describe("severity row", () => {
  const withSeverity = (value: string) => edited("**Severity:** CRITICAL", `**Severity:** ${value}`);

  it.each([
    ["CRITICAL", "Declared `CRITICAL`."],
    ["P0", "Declared `P0`."],
    ["high", "Declared `HIGH`."],
    ["CRITICAL/HIGH", "Declared `CRITICAL` and `HIGH`."],
    ["P1 - High", "Declared `HIGH` and `P1`."],
  ])("passes %j, quoting the value", (value, actual) => {
    expect(rowOf(withSeverity(value), "severity")).toMatchObject({ status: "pass", actual });
  });

  it.each(["P2", "P3", "MEDIUM", "LOW", "low"])("fails %j as not a hotfix", (value) => {
    const finding = rowOf(withSeverity(value), "severity");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toContain(NOT_A_HOTFIX);
    expect(finding.remedy).toContain("`develop`");
  });

  it.each(["HIGH or P2", "P1/P3"])("fails %j as ambiguous: choose one", (value) => {
    const finding = rowOf(withSeverity(value), "severity");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toContain("choose one");
    expect(finding.remedy).toContain(NOT_A_HOTFIX);
  });

  it.each([
    ["[CRITICAL/HIGH]", "still the template placeholder `[CRITICAL/HIGH]`"],
    ["TBD", "'TBD' is not an answer"],
    ["<!-- CRITICAL -->", ": empty."],
    ["Urgent", "`**Severity:**`: `Urgent` is not a severity this policy knows."],
  ])("fails %j, listing the accepted values", (value, actual) => {
    const finding = rowOf(withSeverity(value), "severity");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toContain(actual);
    expect(finding.remedy).toContain("CRITICAL, HIGH, P0 or P1");
  });

  it.each([
    ["missing", ""],
    ["only in a fenced code block", "```\n**Severity:** CRITICAL\n```"],
    ["only in an HTML comment", "<!-- **Severity:** CRITICAL -->"],
  ])("fails when the field is %s", (_, replacement) => {
    const finding = rowOf(edited("**Severity:** CRITICAL", replacement), "severity");
    expect(finding).toMatchObject({ status: "fail", actual: "No `**Severity:**` field or `Severity` heading." });
    expect(finding.remedy).toContain("`**Severity:** CRITICAL`");
  });

  it("is absent when no section declares severity values", () => {
    const policy = policyFrom({ template: { sections: ["Issue Description"] } });
    expect(findingsFor(COMPLETE_BODY, policy).map((finding) => finding.rule)).toStrictEqual(["template"]);
  });
});

describe("incident-reference row", () => {
  const withReference = (value: string) => edited("**Incident Reference:** INC-4521", `**Incident Reference:** ${value}`);

  it.each([
    ["#123", "`#123`."],
    ["INC-77", "`INC-77`."],
    ["inc-77", "`inc-77`."],
    ["https://status.acme.io/incidents/77", "`https://status.acme.io/incidents/77`."],
    ["[INC-77](https://status.acme.io/incidents/77)", "`INC-77 (https://status.acme.io/incidents/77)`."],
    ["[the outage](https://status.acme.io/incidents/77)", "`the outage (https://status.acme.io/incidents/77)`."],
  ])("passes %j, quoting it", (value, actual) => {
    expect(rowOf(withReference(value), "incident-reference")).toMatchObject({ status: "pass", actual });
  });

  it.each([
    ["#[incident-number]", "`**Incident Reference:**`: still the template placeholder `#[incident-number]`."],
    ["TBD", "`**Incident Reference:**`: 'TBD' is not an answer."],
    ["<!-- INC-77 -->", "`**Incident Reference:**`: empty."],
    ["see the Slack thread", "`see the Slack thread` is not in an accepted format."],
    ["#abc", "`#abc` is not in an accepted format."],
  ])("fails %j, quoting what was found and listing the formats", (value, actual) => {
    const finding = rowOf(withReference(value), "incident-reference");
    expect(finding).toMatchObject({ status: "fail", actual });
    expect(finding.expected).toBe("A reference in one of the formats `#{number}`, `INC-{number}` or `{url}`.");
    expect(finding.remedy).toContain("`**Incident Reference:** #1234`");
  });

  it("fails when the field is missing", () => {
    const finding = rowOf(edited("**Incident Reference:** INC-4521\n", ""), "incident-reference");
    expect(finding).toMatchObject({ status: "fail", actual: "No `**Incident Reference:**` field or `Incident Reference` heading." });
  });

  describe("with custom formats", () => {
    const policy = policyFrom({ template: { sections: [{ name: "Incident Reference", formats: ["JIRA-{number}"] }] } });

    it("produces only the template and reference rows", () => {
      expect(findingsFor(withReference("JIRA-42"), policy).map((finding) => [finding.rule, finding.status])).toStrictEqual([
        ["template", "skip"],
        ["incident-reference", "pass"],
      ]);
    });

    it("fails a reference in a default format no longer configured", () => {
      const finding = rowOf(withReference("INC-42"), "incident-reference", policy);
      expect(finding.status).toBe("fail");
      expect(finding.expected).toContain("`JIRA-{number}`");
      expect(finding.remedy).toContain("`**Incident Reference:** JIRA-1234`");
    });
  });

  it("names a reference section that is not the incident reference in its title", () => {
    const policy = policyFrom({ template: { sections: [{ name: "Change Ticket", formats: ["/CHG[0-9]{7}/"] }] } });
    const finding = rowOf("**Change Ticket:** CHG0012345", "incident-reference", policy);
    expect(finding).toMatchObject({ title: "Incident reference (Change Ticket)", status: "pass" });
  });
});

describe("testing row", () => {
  it.each([
    ["N/A with a reason", "- [x] New test validates fix", "- [ ] New test validates fix — N/A: config-only change", "New test validates fix: N/A (config-only change)"],
    ["lower-case n/a with a reason", "- [x] New test validates fix", "- [ ] New test validates fix (n/a: no code path to test)", "N/A (no code path to test)"],
    ["a capital X", "- [x] Existing tests pass", "- [X] Existing tests pass", "Existing tests pass: ticked"],
    ["more words after the required text", "- [x] Existing tests pass", "- [x] Existing tests pass (412 tests, CI run 9876)", "Existing tests pass: ticked"],
    ["a heading with emoji and another case", "### Testing Performed", "## 🧪 testing performed", "New test validates fix: ticked"],
  ])("passes %s", (_, from, to, actual) => {
    const finding = rowOf(edited(from, to), "testing");
    expect(finding.status).toBe("pass");
    expect(finding.actual).toContain(actual);
  });

  it.each([
    ["N/A without a reason", "- [ ] New test validates fix — N/A", "`New test validates fix`: N/A needs a reason", "N/A:"],
    ["N/A: with nothing after it", "- [ ] New test validates fix N/A:", "`New test validates fix`: N/A needs a reason", "N/A:"],
    ["N/A: with a placeholder reason", "- [ ] New test validates fix — N/A: [reason]", "`New test validates fix`: N/A needs a reason", "N/A:"],
    ["N/A: TBD", "- [ ] New test validates fix — N/A: TBD", "`New test validates fix`: N/A needs a reason", "N/A:"],
    ["an unticked box", "- [ ] New test validates fix", "`New test validates fix`: not ticked", "Tick `New test validates fix`"],
    ["a missing box", "", "`New test validates fix`: no such checkbox", "Add `- [x] New test validates fix`"],
    ["a box only in a comment", "<!-- - [x] New test validates fix -->", "`New test validates fix`: no such checkbox", "Add `- [x] New test validates fix`"],
  ])("fails %s", (_, replacement, actual, remedy) => {
    const finding = rowOf(edited("- [x] New test validates fix\n", `${replacement}\n`), "testing");
    expect(finding.status).toBe("fail");
    expect(finding.actual).toBe(`${actual}.`);
    expect(finding.remedy).toContain(remedy);
  });

  it("fails when the section is missing, listing the boxes to add", () => {
    const finding = rowOf(edited(TESTING_PERFORMED, ""), "testing");
    expect(finding).toMatchObject({ status: "fail", actual: "No `Testing Performed` heading." });
    expect(finding.remedy).toContain("`- [x] Existing tests pass` and `- [x] New test validates fix`");
  });

  it("does not count a ticked box from another section", () => {
    const body = edited("- [x] Existing tests pass\n", "", edited("- [ ] Monitor production for 30 minutes", "- [x] Existing tests pass"));
    expect(rowOf(body, "testing").actual).toBe("`Existing tests pass`: no such checkbox.");
  });

  it("accepts the best of several matching boxes", () => {
    const body = edited("- [x] Existing tests pass", "- [ ] Existing tests pass on staging\n- [x] Existing tests pass");
    expect(rowOf(body, "testing").status).toBe("pass");
  });
});
