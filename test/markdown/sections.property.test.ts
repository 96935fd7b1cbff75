import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentProblem, findSection, MAX_BODY_LENGTH, normalizeName, parseBody, type ParsedBody } from "../../src/markdown/sections.js";
import { templateRule } from "../../src/rules/template.js";
import type { Finding } from "../../src/rules/types.js";
import { COMPLETE_BODY, NOW, policyFrom, snapshot } from "../helpers/builders.js";

const DEFAULT_POLICY = policyFrom();
const RULE_IDS = ["template", "severity", "incident-reference", "testing"];

/** Strings built from the characters Markdown gives meaning to, so the lexer takes its odd paths. */
const markdownish = fc.string({
  unit: fc.constantFrom("#", "*", "[", "]", "-", ">", " ", "\n", "<!--", "-->", "`", "x", ":", "|"),
  maxLength: 2000,
});
/** Whole template lines, shuffled and repeated. */
const templateLines = fc
  .array(fc.constantFrom(...COMPLETE_BODY.split("\n"), "<!--", "-->", "```", "- [ ] N/A:", "**Severity:** P2"), { maxLength: 80 })
  .map((lines) => lines.join("\n"));

function expectSaneParse(parsed: ParsedBody): void {
  expect(Array.isArray(parsed.sections)).toBe(true);
  for (const section of parsed.sections) {
    expect(section.key).toBe(normalizeName(section.title));
    expect(typeof section.text).toBe("string");
  }
}

function expectSaneFindings(findings: readonly Finding[]): void {
  expect(findings.map((finding) => finding.rule)).toStrictEqual(RULE_IDS);
  for (const finding of findings) {
    expect(finding.actual.length).toBeGreaterThan(0);
    if (finding.status === "fail") expect(finding.remedy?.length).toBeGreaterThan(0);
  }
}

function staircaseOfLists(depth: number): string {
  return Array.from({ length: depth }, (_, level) => `${" ".repeat(level * 2)}- item ${level}`).join("\n");
}

describe("parseBody and templateRule on arbitrary input", () => {
  it.each([
    ["Markdown-ish strings", markdownish],
    ["any UTF-16 strings", fc.string({ unit: "binary", maxLength: 2000 })],
    ["shuffled template lines", templateLines],
  ])("never throw on %s", (_, bodies) => {
    fc.assert(
      fc.property(bodies, (body) => {
        const parsed = parseBody(body);
        expectSaneParse(parsed);
        expect(parsed.truncated).toBe(false);
        for (const section of parsed.sections) contentProblem(section.text);
        expectSaneFindings(templateRule(snapshot({ body }), DEFAULT_POLICY, NOW));
      }),
      { numRuns: 200 },
    );
  });

  it("finds every section it parsed by its own title", () => {
    fc.assert(
      fc.property(templateLines, (body) => {
        const parsed = parseBody(body);
        for (const section of parsed.sections) expect(findSection(parsed, section.title)?.key).toBe(section.key);
      }),
    );
  });
});

describe("parseBody and templateRule on hostile input", () => {
  it.each([
    ["65,536 opening brackets", "[".repeat(MAX_BODY_LENGTH), false],
    ["10,000-deep nested bullet lists", `${"- ".repeat(10_000)}x`, false],
    ["10,000-deep nested ordered lists", `${"1. ".repeat(10_000)}x`, false],
    ["10,000 alternating quotes and lists", `${"> - ".repeat(10_000)}x`, false],
    ["a staircase of 10,000 nested list lines", staircaseOfLists(10_000), true],
    ["65,536 quote markers", ">".repeat(MAX_BODY_LENGTH), false],
    ["10,000 lines of nested quotes", Array.from({ length: 10_000 }, (_, i) => `${">".repeat(i % 500)} x`).join("\n"), true],
    ["a long line of **", "**".repeat(MAX_BODY_LENGTH / 2), false],
    ["long lines of ** around words", Array.from({ length: 50 }, () => "**x ".repeat(200)).join("\n"), false],
    ["a thousand field-like lines", Array.from({ length: 1000 }, (_, i) => `**Label ${i}:** ${"**".repeat(20)}`).join("\n"), false],
    ["unclosed comments", "<!--".repeat(MAX_BODY_LENGTH / 4), false],
    ["unclosed links", "[a](".repeat(16_000), false],
    ["65,536 backticks", "`".repeat(MAX_BODY_LENGTH), false],
    ["100,000 characters of text", "x".repeat(100_000), true],
    ["100,000 characters after a complete template", `${COMPLETE_BODY}\n${"word ".repeat(20_000)}`, true],
  ])("completes on %s", (_, body, truncated) => {
    const parsed = parseBody(body);
    expectSaneParse(parsed);
    expect(parsed.truncated).toBe(truncated);
    expectSaneFindings(templateRule(snapshot({ body }), DEFAULT_POLICY, NOW));
  });

  it("still reads the start of a truncated body", () => {
    const body = `${COMPLETE_BODY}\n${"word ".repeat(20_000)}`;
    expect(findSection(parseBody(body), "Severity")?.text).toBe("CRITICAL");
    expect(templateRule(snapshot({ body }), DEFAULT_POLICY, NOW).map((finding) => finding.status)).toStrictEqual(["pass", "pass", "pass", "pass"]);
  });
});
