/**
 * Issue 15: the team's post-incident template filled with the hotfix's facts. Values are hostile
 * pull request text: escaped; unknown placeholders stay visible and are reported.
 */
import { describe, expect, it } from "vitest";
import { fillTemplate } from "../../src/render/post-incident-template.js";

describe("fillTemplate", () => {
  it.each([
    ["a known placeholder", "PR #{{pr_number}}", { pr_number: "42" }, "PR #42", []],
    ["spaces and case", "{{ Title }}", { title: "fix" }, "fix", []],
    ["an unknown placeholder", "{{owner}} / {{title}}", { title: "fix" }, "{{owner}} / fix", ["owner"]],
    ["a mention in a value", "by {{title}}", { title: "@everyone fix" }, "by @\u200beveryone fix", []],
    ["a reference in a value", "{{title}}", { title: "fixes #12" }, "fixes #\u200b12", []],
    ["a newline in a value", "{{title}}!", { title: "a\nb" }, "a b!", []],
    ["no placeholders", "plain text", {}, "plain text", []],
  ])("%s", (_, template, values, text, unknown) => {
    const filled = fillTemplate(template, values);
    expect(filled.unknown).toStrictEqual(unknown);
    expect(filled.text).toBe(text);
  });
});
