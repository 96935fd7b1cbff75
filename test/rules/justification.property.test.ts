/**
 * The justification parser and the command reader on arbitrary and hostile input: they never
 * throw, their output stays bounded (fields at most MAX_FIELD_LENGTH, commands at most one per
 * line), a well-formed form reads back exactly, and text in code blocks or HTML comments never
 * becomes a field or a command. No timing assertions: hostile inputs must simply finish.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_BODY_LENGTH } from "../../src/markdown/sections.js";
import {
  MAX_FIELD_LENGTH,
  fingerprintFields,
  mentionedLogins,
  parseHotfixCommands,
  parseJustification,
  parseTimestamp,
} from "../../src/rules/justification.js";
import { JUSTIFICATION_FIELDS, type JustificationFields } from "../../src/model/justification-form.js";
import { formMarkdown } from "../helpers/audit-builders.js";

/** Strings from the characters Markdown and the form give meaning to. */
const markdownish = fc.string({
  unit: fc.constantFrom("#", "*", "**", "[", "]", "-", ">", " ", "\n", "<!--", "-->", "`", "```", "@", "x", ":", "|", "/hotfix", " authorize", "Bypass Reason", "Authorized By"),
  maxLength: 3000,
});
/** Whole form lines, shuffled and repeated. */
const formLines = fc
  .array(fc.constantFrom(...formMarkdown().split("\n"), "```", "<!--", "-->", "> ", "/hotfix authorize", "- /hotfix authorize"), { maxLength: 80 })
  .map((lines) => lines.join("\n"));
/** Field text a person would write: letters, digits, spaces and harmless punctuation, not blank. */
const fieldText = fc
  .string({ unit: fc.constantFrom("a", "B", "7", " ", ".", ",", "(", ")", "'"), minLength: 1, maxLength: 60 })
  .map((text) => text.trim())
  .filter((text) => /[A-Za-z0-9]/.test(text));

function expectBounded(fields: JustificationFields | null): void {
  if (!fields) return;
  for (const { key } of JUSTIFICATION_FIELDS) {
    expect(typeof fields[key]).toBe("string");
    expect(fields[key].length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
  }
}

function expectSaneCommands(body: string, commands: readonly string[]): void {
  expect(commands.length).toBeLessThanOrEqual(body.split("\n").length);
  for (const command of commands) expect(command).toMatch(/^[a-z-]{0,40}$/);
}

describe("the justification parser on arbitrary input", () => {
  it.each([
    ["Markdown-ish strings", markdownish],
    ["any UTF-16 strings", fc.string({ unit: "binary", maxLength: 3000 })],
    ["shuffled form lines", formLines],
  ])("never throws on %s, and stays bounded", (_, bodies) => {
    fc.assert(
      fc.property(bodies, (body) => {
        expectBounded(parseJustification(body));
        expectSaneCommands(body, parseHotfixCommands(body));
        for (const line of body.split("\n")) {
          parseTimestamp(line);
          expect(mentionedLogins(line).length).toBeLessThanOrEqual(line.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reads a well-formed form back exactly", () => {
    const fields = fc.record(Object.fromEntries(JUSTIFICATION_FIELDS.map(({ key }) => [key, fieldText])) as Record<keyof JustificationFields, typeof fieldText>);
    fc.assert(
      fc.property(fields, (values) => {
        const parsed = parseJustification(formMarkdown(values));
        expect(parsed).toStrictEqual({ ...values });
        expect(fingerprintFields(parsed as JustificationFields)).toBe(fingerprintFields(values));
      }),
      { numRuns: 100 },
    );
  });

  it("never reads a form or a command hidden in a fenced code block or an HTML comment", () => {
    fc.assert(
      fc.property(formLines, fc.constantFrom("code", "comment"), (inner, wrapper) => {
        const clean = inner.replaceAll("```", "").replaceAll("<!--", "").replaceAll("-->", "");
        const body = wrapper === "code" ? `\`\`\`\n${clean}\n\`\`\`\n` : `<!--\n${clean}\n-->\n`;
        expect(parseJustification(body)).toBeNull();
        expect(parseHotfixCommands(body)).toStrictEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("the justification parser on hostile 65,536-character input", () => {
  const hostile: [string, string][] = [
    ["nested quotes", `${"> ".repeat(MAX_BODY_LENGTH / 2)}\n/hotfix authorize`],
    ["nested lists", Array.from({ length: 4000 }, (_, i) => `${" ".repeat(i % 200)}- **Bypass Reason:** x`).join("\n")],
    ["one huge field", `${formMarkdown()}**Risk Assessment:** ${"a".repeat(MAX_BODY_LENGTH)}`],
    ["unclosed emphasis", "**Authorized By:** " + "**@a ".repeat(13000)],
    ["unclosed comments", "<!--".repeat(16000) + formMarkdown()],
    ["backtick runs", "`".repeat(MAX_BODY_LENGTH) + "\n/hotfix authorize"],
    ["mentions", `**Bypass Reason:** x\n**Authorized By:** ${"@a ".repeat(20000)}`],
    ["timestamps", `**Bypass Reason:** x\n**Timestamp:** ${"2026-11-23 14:45 ".repeat(4000)}`],
    ["command lines", "/hotfix authorize\n".repeat(4000)],
    ["beyond the limit", formMarkdown() + "x".repeat(MAX_BODY_LENGTH * 2)],
  ];

  it.each(hostile)("stays bounded on %s", (_, body) => {
    const fields = parseJustification(body);
    expectBounded(fields);
    expectSaneCommands(body, parseHotfixCommands(body));
    if (fields) {
      expect(mentionedLogins(fields.authorizedBy).length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
      parseTimestamp(fields.timestamp);
    }
  });
});
