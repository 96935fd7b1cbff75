import { describe, expect, it } from "vitest";
import { testsIncludedRule } from "../../src/rules/tests-included.js";
import type { ChangedFile } from "../../src/rules/types.js";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";

function file(filename: string, status = "modified"): ChangedFile {
  return { filename, status, additions: 3, deletions: 1 };
}

function only(findings: ReturnType<typeof testsIncludedRule>) {
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

const DEFAULT_GLOBS = "`**/*.test.*`, `**/*.spec.*`, `test/**`, `tests/**` and `**/__tests__/**`";

describe("testsIncludedRule", () => {
  it.each([
    { name: "a modified test beside the code", files: [file("src/charge.ts"), file("src/charge.test.ts")], actual: "`src/charge.test.ts` (modified)" },
    { name: "an added spec", files: [file("lib/a.js"), file("lib/a.spec.js", "added")], actual: "`lib/a.spec.js` (added)" },
    { name: "a file under test/", files: [file("test/payments/currency.ts", "added")], actual: "`test/payments/currency.ts` (added)" },
    { name: "a renamed file under __tests__", files: [file("src/__tests__/charge.ts", "renamed")], actual: "`src/__tests__/charge.ts` (renamed)" },
    {
      name: "several tests",
      files: [file("src/a.test.ts"), file("src/b.test.ts", "added"), file("tests/c.py")],
      actual: "`src/a.test.ts` (modified) and 2 more test files",
    },
  ])("passes with $name and names the test", ({ files, actual }) => {
    const finding = only(testsIncludedRule(snapshot({ files, changedFiles: files.length }), policyFrom(), NOW));
    expect(finding).toMatchObject({ rule: "tests", title: "Test included", status: "pass", actual });
    expect(finding.expected).toBe(`At least one added or modified file matching ${DEFAULT_GLOBS}`);
  });

  it.each([
    { name: "no test at all", files: [file("src/charge.ts"), file("README.md")], actual: "None of the 2 changed files is an added or modified test." },
    { name: "a single non-test file", files: [file("src/charge.ts")], actual: "The one changed file is not an added or modified test." },
    {
      name: "only a deleted test",
      files: [file("src/charge.ts"), file("src/charge.test.ts", "removed")],
      actual: "None of the 2 changed files is an added or modified test. Removed test files do not count (1 removed).",
    },
    { name: "a test-like name outside the globs", files: [file("src/testing-utils.ts")], actual: "The one changed file is not an added or modified test." },
  ])("fails with $name and asks for a test that would have caught the bug", ({ files, actual }) => {
    const finding = only(testsIncludedRule(snapshot({ files, changedFiles: files.length }), policyFrom(), NOW));
    expect(finding.status).toBe("fail");
    expect(finding.actual).toBe(actual);
    expect(finding.remedy).toContain("Add a test that would have caught the bug");
    expect(finding.remedy).toContain(DEFAULT_GLOBS);
    expect(finding.remedy).toContain("`tests.globs` in .github/hotfix-guard.yml");
  });

  it("says when some changed files could not be read", () => {
    const finding = only(testsIncludedRule(snapshot({ files: [file("src/charge.ts")], changedFiles: 4 }), policyFrom(), NOW));
    expect(finding.actual).toBe("The one changed file is not an added or modified test. 3 more changed files could not be read.");
  });

  it("fails safe when the file list could not be read", () => {
    const finding = only(testsIncludedRule(snapshot({ files: undefined }), policyFrom(), NOW));
    expect(finding.status).toBe("fail");
    expect(finding.actual).toBe("The changed files could not be read, so no test was found.");
    expect(finding.remedy).toMatch(/^Re-run the check\. Add a test/);
  });

  it("uses the configured globs", () => {
    const policy = policyFrom({ tests: { globs: ["spec/**/*_spec.rb"] } });
    const passing = only(testsIncludedRule(snapshot({ files: [file("spec/models/charge_spec.rb")] }), policy, NOW));
    expect(passing.status).toBe("pass");
    const failing = only(testsIncludedRule(snapshot(), policy, NOW));
    expect(failing.status).toBe("fail");
    expect(failing.expected).toBe("At least one added or modified file matching `spec/**/*_spec.rb`");
  });

  it("skips when tests are not required", () => {
    const finding = only(testsIncludedRule(snapshot({ files: [file("src/charge.ts")] }), policyFrom({ tests: { required: false } }), NOW));
    expect(finding).toMatchObject({ status: "skip", actual: "not required by the configuration" });
    expect(finding.remedy).toBeUndefined();
  });
});
