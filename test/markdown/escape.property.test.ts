/**
 * The one escaping routine against the real Markdown renderer (`marked`): whatever user text
 * holds (backticks, `@`, `<`, `&`, line breaks, `|`, zero-width characters), the rendered HTML
 * has no live mention, no `@org/team` and no raw HTML from it, and a table cell stays one cell.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeBlock, codeSpan, literalText, safeMarkdown, safeTableCell } from "../../src/markdown/escape.js";
import { inlineCode } from "../../src/rules/excerpt.js";
import { cellsInFirstRow, hostileText, lineBreakTags, lineBreaks, liveMentions, rawHtml } from "../helpers/markdown-safety.js";

const RUNS = { numRuns: 400 };
/** Generous: hostile inputs must finish, on a busy machine too; no timing is asserted. */
const PROPERTY_TIMEOUT_MS = 120_000;

function table(cell: string): string {
  return ["| Rule | Found | Expected |", "|---|---|---|", `| left | ${cell} | right |`].join("\n");
}

describe("a code span of user text", () => {
  it.each([
    { text: "a`b", expected: "``a`b``" },
    { text: "`@admin", expected: "`` `@admin ``" },
    { text: "x``", expected: "``` x`` ```" },
    { text: " both ", expected: "`  both  `" },
    { text: "a\n\n@admin", expected: "`a  @admin`" },
    { text: "", expected: "` `" },
  ])("$text → $expected", ({ text, expected }) => {
    expect(codeSpan(text)).toBe(expected);
  });

  it("shows the text verbatim in one <code> element and nothing outside it", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const markdown = `Branch ${codeSpan(text)} here.`;
        expect(liveMentions(markdown)).toStrictEqual([]);
        expect(rawHtml(markdown)).toStrictEqual([]);
        expect(liveMentions(`Branch ${inlineCode(text)} into ${inlineCode(text)}.`)).toStrictEqual([]);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);

  it("stays in its cell in a table", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const markdown = table(safeTableCell(codeSpan(text)));
        expect(cellsInFirstRow(markdown)).toBe(3);
        expect(liveMentions(markdown)).toStrictEqual([]);
        expect(rawHtml(markdown)).toStrictEqual([]);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe("Markdown that quotes user text", () => {
  it.each([
    { name: "a backtick that pairs differently in Markdown", text: "`a``@admin``" },
    { name: "a double fence around a single backtick", text: "``a`b`` then `<img src=x>` @admin" },
    { name: "an escaped backtick", text: "\\`@admin`" },
    { name: "an entity", text: "&#64;admin and &commat;acme/admins" },
    { name: "a code span broken by a blank line", text: "`a\n\n@admin`" },
  ])("defuses $name", ({ text }) => {
    const markdown = safeMarkdown(text);
    expect(liveMentions(markdown)).toStrictEqual([]);
    expect(rawHtml(markdown)).toStrictEqual([]);
  });

  it("renders no live mention and no raw HTML, whatever the text", () => {
    fc.assert(
      fc.property(hostileText, hostileText, (prose, name) => {
        const markdown = safeMarkdown(`${prose} Rename ${inlineCode(name)} to ${inlineCode(`hotfix/${name}`)}. ${prose}`);
        expect(liveMentions(markdown)).toStrictEqual([]);
        expect(rawHtml(markdown)).toStrictEqual([]);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);

  it("keeps a table cell one cell, with no <br> but those for its line breaks", () => {
    fc.assert(
      fc.property(hostileText, hostileText, (prose, name) => {
        const text = `${prose} ${inlineCode(name)} ${prose}`;
        const markdown = table(safeTableCell(text));
        expect(cellsInFirstRow(markdown)).toBe(3);
        expect(liveMentions(markdown)).toStrictEqual([]);
        expect(rawHtml(markdown)).toStrictEqual([]);
        expect(lineBreakTags(markdown)).toBeLessThanOrEqual(lineBreaks(text));
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe("literal user text", () => {
  it("does nothing in prose or in a table", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const oneLine = literalText(text.replace(/[\r\n]+/g, " "));
        expect(liveMentions(`Hotfix #42 (${oneLine}) by someone.`)).toStrictEqual([]);
        expect(rawHtml(`Hotfix #42 (${oneLine}) by someone.`)).toStrictEqual([]);
        expect(cellsInFirstRow(table(oneLine))).toBe(3);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe("a code block of user text", () => {
  it("cannot be closed early by the text", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const markdown = `${codeBlock(text, "sh")}\n\nAfter the block.`;
        expect(liveMentions(markdown)).toStrictEqual([]);
        expect(rawHtml(markdown)).toStrictEqual([]);
      }),
      RUNS,
    );
  }, PROPERTY_TIMEOUT_MS);
});
