/**
 * GitHub's output limits in one place (issue 9, defect 5): what fits is left alone, what does
 * not is cut visibly, never inside a code span or a character, and a hidden tail survives.
 */
import { describe, expect, it } from "vitest";
import { fitBody, fitBodyWithTail, fitCheckRun, fitIssueTitle, GITHUB_LIMITS } from "../../src/render/limits.js";
import { codeSpan } from "../../src/markdown/escape.js";
import { liveMentions } from "../helpers/markdown-safety.js";

const CUT = "…(cut: the rest does not fit in GitHub's limit for this text)";

describe("GitHub's limits", () => {
  it.each([
    { what: "a comment or issue body", limit: GITHUB_LIMITS.body, expected: 65_536 },
    { what: "a check run summary", limit: GITHUB_LIMITS.checkRunSummary, expected: 65_535 },
    { what: "a check run text", limit: GITHUB_LIMITS.checkRunText, expected: 65_535 },
    { what: "an issue title", limit: GITHUB_LIMITS.issueTitle, expected: 256 },
    { what: "a label name", limit: GITHUB_LIMITS.labelName, expected: 50 },
  ])("$what is $expected characters", ({ limit, expected }) => {
    expect(limit).toBe(expected);
  });

  it("leaves a body that fits unchanged", () => {
    const body = "x".repeat(GITHUB_LIMITS.body);
    expect(fitBody(body)).toBe(body);
  });

  it("cuts a long body at a line boundary and says so", () => {
    const body = `${"line\n".repeat(20_000)}end`;
    const fitted = fitBody(body);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
    expect(fitted.endsWith(`line\n\n${CUT}`)).toBe(true);
  });

  it("never cuts a single long line inside a code span, so its text cannot spill into prose", () => {
    const body = `Found ${codeSpan("@acme/admins ".repeat(10_000))} in the branch name`;
    const fitted = fitBody(body);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
    expect(fitted).toBe(`Found \n\n${CUT}`);
    expect(liveMentions(fitted)).toStrictEqual([]);
  });

  it("never splits a character made of two UTF-16 units", () => {
    const title = "😀".repeat(200);
    const fitted = fitIssueTitle(title);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_LIMITS.issueTitle);
    expect(fitted.endsWith("😀…")).toBe(true);
  });

  it("keeps a hidden tail whole and cuts the visible part before it", () => {
    const tail = "<!-- hotfix-guard:post-incident pr=42 -->";
    const fitted = fitBodyWithTail("y".repeat(100_000), tail);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_LIMITS.body);
    expect(fitted.endsWith(`${CUT}\n\n${tail}`)).toBe(true);
  });

  it("keeps a check run within its limits, with room for the fingerprint marker", () => {
    const output = fitCheckRun({ name: "n".repeat(1_000), conclusion: "success", title: "t\n".repeat(1_000), summary: "s".repeat(100_000), text: "x".repeat(100_000) });
    expect(output.name.length).toBeLessThanOrEqual(256);
    expect(output.title.length).toBeLessThanOrEqual(256);
    expect(output.title).not.toContain("\n");
    expect(output.summary.length).toBeLessThanOrEqual(GITHUB_LIMITS.checkRunSummary - 200);
    expect(output.text?.length).toBeLessThanOrEqual(GITHUB_LIMITS.checkRunText);
  });
});
