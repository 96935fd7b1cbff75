/** The back-merge check's rules: which pull requests are back-merges, and conflict markers added versus in context. */
import { describe, expect, it } from "vitest";
import { addedConflictMarkers, backMergedHotfix, isBackMerge, judgeBackMerge } from "../../src/rules/back-merge-check.js";
import { policyFrom } from "../helpers/builders.js";

const PATCH_ADDING = ["@@ -10,3 +10,7 @@ export function charge() {", " const a = 1;", "+<<<<<<< HEAD", "+const currency = 'EUR';", "+=======", "+const currency = 'USD';", "+>>>>>>> hotfix/v1.4.3", " return a;"].join("\n");
const PATCH_CONTEXT = ["@@ -1,4 +1,4 @@", " <<<<<<< documented example", " =======", "-old", "+new", " >>>>>>> end"].join("\n");

describe("addedConflictMarkers", () => {
  it("finds the markers of added lines with their new line numbers", () => {
    expect(addedConflictMarkers([{ filename: "src/charge.ts", patch: PATCH_ADDING }])).toStrictEqual([
      { file: "src/charge.ts", line: 11, marker: "<<<<<<<" },
      { file: "src/charge.ts", line: 13, marker: "=======" },
      { file: "src/charge.ts", line: 15, marker: ">>>>>>>" },
    ]);
  });

  it("ignores marker-like context and removed lines, longer rulers and files without a patch", () => {
    expect(addedConflictMarkers([{ filename: "docs/git.md", patch: PATCH_CONTEXT }, { filename: "a.md", patch: "@@ -0,0 +1,2 @@\n+========\n+ <<<<<<< indented" }, { filename: "logo.png", patch: null }])).toStrictEqual([]);
  });
});

describe("judgeBackMerge", () => {
  it.each([
    [true, 0, "success"],
    [null, 0, "success"],
    [false, 0, "failure"],
    [true, 1, "failure"],
  ] as const)("mergeable %s with %i markers → %s", (mergeable, count, conclusion) => {
    const markers = Array.from({ length: count }, () => ({ file: "f", line: 1, marker: "=======" }));
    expect(judgeBackMerge(mergeable, markers).conclusion).toBe(conclusion);
  });
});

describe("isBackMerge", () => {
  const policy = policyFrom({});
  it.each([
    [{ baseRef: "develop", headRef: "hotfix/v1.4.3-x", body: "" }, true],
    [{ baseRef: "release/1.5", headRef: "backport/42-to-release/1.5", body: "" }, true],
    [{ baseRef: "develop", headRef: "bot-branch", body: "<!-- hotfix-guard:back-merge pr=42 -->" }, true],
    [{ baseRef: "develop", headRef: "feature/x", body: "" }, false],
    [{ baseRef: "main", headRef: "hotfix/v1.4.3-x", body: "" }, false],
  ])("%o → %s", (pr, expected) => {
    expect(isBackMerge(pr, policy)).toBe(expected);
  });

  it("names the hotfix from the marker or the backport branch", () => {
    expect(backMergedHotfix({ baseRef: "develop", headRef: "backport/42-to-develop", body: "" })).toBe(42);
    expect(backMergedHotfix({ baseRef: "develop", headRef: "hotfix/x", body: "" })).toBeNull();
  });
});
