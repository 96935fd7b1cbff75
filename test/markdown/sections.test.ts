import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contentProblem, findSection, MAX_BODY_LENGTH, normalizeName, parseBody } from "../../src/markdown/sections.js";
import { COMPLETE_BODY } from "../helpers/builders.js";

const HOTFIX_TEMPLATE = readFileSync(new URL("../../.github/PULL_REQUEST_TEMPLATE/hotfix.md", import.meta.url), "utf8");

/** Seed 001's emergency bypass justification, filled in. */
const BYPASS_JUSTIFICATION = `## 🚨 EMERGENCY BYPASS JUSTIFICATION

**Incident:** INC-4521
**Bypass Reason:** Production completely down
**Risk Assessment:** Unreviewed one-line change.
**Post-Incident Actions:** Retroactive review tomorrow.
**Authorized By:** @admin-carol
**Timestamp:** 2026-11-23T14:55Z
`;

describe("normalizeName", () => {
  it.each([
    ["🚨 HOTFIX - EMERGENCY DEPLOYMENT", "hotfix emergency deployment"],
    ["Post-Deployment Actions", "post deployment actions"],
    ["  🧪 testing   PERFORMED! ", "testing performed"],
    ["Risks Accepted:", "risks accepted"],
  ])("%j → %j", (title, key) => {
    expect(normalizeName(title)).toBe(key);
  });
});

describe("parseBody on the hotfix template (seed 001)", () => {
  const parsed = parseBody(HOTFIX_TEMPLATE);

  it.each([
    ["Incident Reference", "field", "#[incident-number]"],
    ["Severity", "field", "[CRITICAL/HIGH]"],
    ["Emergency Justification", "field", "[Why this couldn't wait]"],
    ["Issue Description", "heading", "[Detailed description of production issue]"],
    ["Fix Implementation", "heading", "[What the fix does and why it works]"],
    ["Rollback Plan", "field", "[How to revert if fix fails]"],
  ])("reads %s as a %s holding only its placeholder", (name, kind, text) => {
    const section = findSection(parsed, name);
    expect(section?.kind).toBe(kind);
    expect(section?.text).toBe(text);
    expect(contentProblem(section?.text ?? "")).toBe("placeholder");
  });

  it("keeps the HTML comments out of every section", () => {
    expect(parsed.sections.some((section) => section.text.includes("Hotfix Guard checks"))).toBe(false);
    expect(parsed.sections.some((section) => section.text.includes("N/A: <reason>"))).toBe(false);
  });

  it("reads Risk Assessment as a heading with its three fields", () => {
    const risk = findSection(parsed, "Risk Assessment");
    expect(risk?.kind).toBe("heading");
    expect(risk?.fields.map((field) => field.title)).toStrictEqual(["Risks Accepted", "Rollback Plan", "Monitoring Plan"]);
  });

  it("reads the Testing Performed checkboxes unticked, with their text", () => {
    expect(findSection(parsed, "Testing Performed")?.checkboxes).toStrictEqual([
      { checked: false, text: "Existing tests pass" },
      { checked: false, text: "New test validates fix" },
      { checked: false, text: "Manual validation: [describe what was tested]" },
      { checked: false, text: "Staging validation: [Y/N with justification]" },
    ]);
  });

  it("ends a heading section at the next heading of the same level", () => {
    const testing = findSection(parsed, "Testing Performed");
    expect(testing?.checkboxes.some((checkbox) => checkbox.text.startsWith("Monitor production"))).toBe(false);
  });
});

describe("parseBody on a filled-in template", () => {
  const parsed = parseBody(COMPLETE_BODY);

  it("reads every field's value", () => {
    expect(findSection(parsed, "Incident Reference")?.text).toBe("INC-4521");
    expect(findSection(parsed, "Severity")?.text).toBe("CRITICAL");
    expect(findSection(parsed, "Rollback Plan")?.text).toBe("Revert the merge commit and redeploy.");
  });

  it("keeps each checkbox's state", () => {
    expect(findSection(parsed, "Testing Performed")?.checkboxes.map((checkbox) => checkbox.checked)).toStrictEqual([true, true, false, false]);
  });

  it("reads the seed's bypass justification fields under their heading", () => {
    const justification = parseBody(BYPASS_JUSTIFICATION);
    expect(findSection(justification, "emergency bypass justification")?.fields.map((field) => field.title)).toStrictEqual([
      "Incident",
      "Bypass Reason",
      "Risk Assessment",
      "Post-Incident Actions",
      "Authorized By",
      "Timestamp",
    ]);
    expect(findSection(justification, "Authorized By")?.text).toBe("@admin-carol");
  });
});

describe("parseBody field and heading shapes", () => {
  it.each([
    ["a colon inside the bold", "**Severity:** HIGH", "HIGH"],
    ["a colon after the bold", "**Severity**: HIGH", "HIGH"],
    ["the value on the following lines", "**Severity:**\nHIGH\nsince 14:05", "HIGH\nsince 14:05"],
    ["a link as the value", "**Severity:** [HIGH](https://wiki.acme.io/sev)", "HIGH (https://wiki.acme.io/sev)"],
    ["the value in a comment", "**Severity:** <!-- HIGH -->", ""],
    ["a field inside a quote", "> **Severity:** HIGH", "HIGH"],
  ])("reads a field with %s", (_, body, text) => {
    expect(findSection(parseBody(body), "Severity")).toMatchObject({ kind: "field", text });
  });

  it.each([
    ["a fenced code block", "```\n**Severity:** CRITICAL\n```"],
    ["an indented code block", "    **Severity:** CRITICAL"],
    ["an HTML comment", "<!-- **Severity:** CRITICAL -->"],
    ["a multi-line HTML comment", "<!--\n**Severity:** CRITICAL\n-->"],
    ["a label longer than 80 characters", `**${"Severity ".repeat(10)}:** CRITICAL`],
    ["bold text without a colon", "**Severity** CRITICAL"],
  ])("finds no Severity field in %s", (_, body) => {
    expect(findSection(parseBody(body), "Severity")).toBeUndefined();
  });

  it("leaves code out of a section's text when includeCode is false", () => {
    const body = "### Issue Description\n```\nstack trace\n```";
    expect(findSection(parseBody(body), "Issue Description")?.text).toBe("stack trace");
    expect(findSection(parseBody(body, { includeCode: false }), "Issue Description")?.text).toBe("");
  });

  it("finds headings whatever their case, emoji or level", () => {
    const parsed = parseBody("## 🧪 testing PERFORMED\n- [x] Existing tests pass");
    expect(findSection(parsed, "Testing Performed")?.checkboxes).toStrictEqual([{ checked: true, text: "Existing tests pass" }]);
  });

  it("prefers a field to a heading of the same name, and the first of each", () => {
    const parsed = parseBody("### Severity\nHIGH\n\n**Severity:** CRITICAL\n\n**Severity:** P2");
    expect(findSection(parsed, "Severity")).toMatchObject({ kind: "field", text: "CRITICAL" });
  });

  it("reads ticked checkboxes written with a capital X and nested items", () => {
    const parsed = parseBody("### Testing Performed\n- [X] Existing tests pass\n  - [ ] nested item");
    expect(findSection(parsed, "Testing Performed")?.checkboxes).toStrictEqual([
      { checked: true, text: "Existing tests pass" },
      { checked: false, text: "nested item" },
    ]);
  });

  it("does not read checkboxes inside a comment", () => {
    expect(findSection(parseBody("### Testing Performed\n<!-- - [x] Existing tests pass -->"), "Testing Performed")?.checkboxes).toStrictEqual([]);
  });

  it("returns undefined for a section that is not there", () => {
    expect(findSection(parseBody(COMPLETE_BODY), "Root Cause")).toBeUndefined();
  });
});

describe("parseBody limits", () => {
  it.each([null, undefined, ""])("reads %j as no sections", (body) => {
    expect(parseBody(body)).toStrictEqual({ sections: [], truncated: false });
  });

  it("reads a body of exactly the limit whole", () => {
    expect(parseBody("x".repeat(MAX_BODY_LENGTH)).truncated).toBe(false);
  });

  it("flags a longer body as truncated and reads its start", () => {
    const parsed = parseBody(`${COMPLETE_BODY}\n${"x".repeat(MAX_BODY_LENGTH)}`);
    expect(parsed.truncated).toBe(true);
    expect(findSection(parsed, "Severity")?.text).toBe("CRITICAL");
  });
});

describe("contentProblem", () => {
  it.each([
    ["", "empty"],
    ["   \n ", "empty"],
    ["---", "empty"],
    ["[Why this couldn't wait]", "placeholder"],
    ["#[incident-number]", "placeholder"],
    ["[CRITICAL/HIGH]", "placeholder"],
    ["[ ] [Y/N with justification]", "placeholder"],
    ["TBD", "non-answer"],
    ["tbd.", "non-answer"],
    ["N/A", "non-answer"],
    ["To be determined", "non-answer"],
    ["INC-4521", null],
    ["Revert the merge commit and redeploy.", null],
    ["Revert [the merge commit] and redeploy.", null],
  ])("%j → %j", (text, problem) => {
    expect(contentProblem(text)).toBe(problem);
  });
});
