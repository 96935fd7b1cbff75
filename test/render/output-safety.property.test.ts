/**
 * What the check run and the audit show when branch names, configured values and template text
 * are hostile (defects 4 and 5 of issue 9): rendered by the real Markdown renderer, no quoted
 * text becomes a live `@mention`, an `@org/team` or raw HTML, and every title, summary and body
 * is within GitHub's limits whatever the input's size, the cut marked visibly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { echo } from "../../src/render/audit.js";
import { findingsTable, remedies, renderBranchCheck, renderHotfixCheck, renderInvalidConfigCheck, renderNotHotfixCheck, renderValidConfigCheck } from "../../src/render/check-run.js";
import { safeText, tableCell } from "../../src/render/markdown.js";
import { verdictOf } from "../../src/rules/index.js";
import { inlineCode } from "../../src/rules/excerpt.js";
import type { Finding } from "../../src/rules/types.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { cellsInFirstRow, hostileText, liveMentions, rawHtml } from "../helpers/markdown-safety.js";

const RUNS = { numRuns: 200 };
/** Generous: hostile inputs must finish, on a busy machine too; no timing is asserted. */
const PROPERTY_TIMEOUT_MS = 120_000;
const SOURCE = { kind: "file" as const, files: ["acme/payments:.github/hotfix-guard.yml"] };
const SUMMARY_MAX = 65_535;
const TITLE_MAX = 256;

function pr(headRef: string, baseRef = "main") {
  return { number: 42, headRef, baseRef, headSha: HEAD_SHA };
}

function finding(title: string, actual: string, expected: string, remedy: string): Finding {
  return { rule: "branch-name", title, status: "fail", actual, expected, remedy };
}

function expectInert(markdown: string): void {
  expect(liveMentions(markdown)).toStrictEqual([]);
  expect(rawHtml(markdown)).toStrictEqual([]);
}

describe("quoted text in the check run", () => {
  it.each([
    { name: "a backtick in the branch name", branch: "hotfix/`x` @admin `y" },
    { name: "a double backtick run", branch: "hotfix/``@acme/admins`" },
    { name: "raw HTML after a backtick", branch: "hotfix/a`<img src=x onerror=alert(1)>`" },
    { name: "an entity", branch: "hotfix/&#64;admin" },
  ])("the 'Not a hotfix' summary shows $name inertly", ({ branch }) => {
    expectInert(renderNotHotfixCheck(pr(branch, branch), branch, branch, SOURCE).summary);
  });

  it.each([
    { name: "a backtick run that pairs differently", actual: `Branch ${"``a`"} and \`@admin\`` },
    { name: "an entity", actual: "found &#64;admin and &commat;acme/admins" },
    { name: "a code span of text with a backtick", actual: `Rename ${inlineCode("x`@admin")} please` },
  ])("a finding row shows $name inertly", ({ actual }) => {
    const markdown = findingsTable([finding("Branch name", actual, actual, actual)]);
    expect(cellsInFirstRow(markdown)).toBe(4);
    expectInert(markdown);
    expectInert(remedies([finding("Branch name", actual, actual, actual)]));
  });

  it("never renders a live mention or raw HTML from a branch name, a configured value or a finding", () => {
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (branch, value, text) => {
        const quoted = `${text} ${inlineCode(branch)} ${text}`;
        const findings = [finding(value, quoted, `${inlineCode(value)} ${text}`, `Rename ${inlineCode(branch)}: ${text}`)];
        const table = findingsTable(findings);
        expect(cellsInFirstRow(table)).toBe(4);
        for (const output of [
          renderNotHotfixCheck(pr(branch, value), value, text, SOURCE),
          renderHotfixCheck(pr(branch, value), verdictOf(findings), { prefix: value, label: text }, SOURCE),
          renderBranchCheck(branch, findings[0] as Finding),
          renderInvalidConfigCheck([{ file: value, path: branch, expected: text, found: quoted }], [value]),
        ]) {
          expectInert(output.summary);
        }
        expectInert(safeText(quoted));
        expectInert(`| a | ${tableCell(quoted)} | b |`);
        expectInert(`| a | ${echo(quoted, 300)} | b |`);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe("GitHub's limits", () => {
  const huge = fc.integer({ min: 0, max: 140_000 }).chain((size) => fc.constantFrom("`", "@", "x", "\n", "|").map((char) => char.repeat(size)));

  it("keeps the 'Not a hotfix' check within them with a huge configured prefix and label, saying it was cut", () => {
    const output = renderNotHotfixCheck(pr("feature/x"), "p".repeat(70_000), "l".repeat(70_000), SOURCE);
    expect(output.summary.length).toBeLessThanOrEqual(SUMMARY_MAX - 200);
    expect(output.summary).toContain("…(cut:");
    expect(output.title.length).toBeLessThanOrEqual(TITLE_MAX);
  });

  it("keeps every check run within them whatever the size of the input", () => {
    fc.assert(
      fc.property(huge, hostileText, (big, text) => {
        const findings = [finding(big, big, big, big), finding(text, big, text, big)];
        for (const output of [
          renderNotHotfixCheck(pr(big, big), big, big, { kind: "file", files: [big] }),
          renderHotfixCheck(pr(big, big), verdictOf(findings), { prefix: big, label: big }, SOURCE),
          renderBranchCheck(big, findings[0] as Finding),
          renderInvalidConfigCheck([{ file: big, path: big, expected: big, found: big }], [big]),
          renderValidConfigCheck({ kind: "file", files: [big, big] }, "Hotfix Guard: configuration"),
        ]) {
          expect(output.summary.length).toBeLessThanOrEqual(SUMMARY_MAX - 200);
          expect(output.title.length).toBeLessThanOrEqual(TITLE_MAX);
          expect(output.name.length).toBeLessThanOrEqual(TITLE_MAX);
        }
      }),
      { numRuns: 10 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it("never leaves a code span open where it cuts a long line", () => {
    const line = `${inlineCode("@admin ".repeat(20_000))} ${"x".repeat(70_000)}`;
    const output = renderBranchCheck(line, finding("Branch name", line, line, line));
    expect(output.summary.length).toBeLessThanOrEqual(SUMMARY_MAX - 200);
    expectInert(output.summary);
  });
});
