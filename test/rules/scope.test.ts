import { describe, expect, it } from "vitest";
import { scopeRule } from "../../src/rules/scope.js";
import type { ChangedFile } from "../../src/rules/types.js";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";

function file(filename: string, status = "modified"): ChangedFile {
  return { filename, status, additions: 1, deletions: 0 };
}

function only(findings: ReturnType<typeof scopeRule>) {
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe("scopeRule", () => {
  it("passes a small change and says what it measured", () => {
    const finding = only(scopeRule(snapshot(), policyFrom(), NOW));
    expect(finding).toMatchObject({ rule: "scope", title: "Scope", status: "pass", actual: "2 files and 15 lines changed" });
    expect(finding.expected).toBe("At most 20 files and 400 changed lines (added plus deleted)");
    expect(finding.remedy).toBeUndefined();
  });

  it.each([
    {
      name: "too many files, at the default warn level",
      config: null,
      overrides: { changedFiles: 21 },
      status: "warn",
      actual: "21 files changed, over the limit of 20.",
    },
    {
      name: "too many lines, at the fail level",
      config: { scope: { level: "fail" } },
      overrides: { additions: 350, deletions: 51 },
      status: "fail",
      actual: "401 lines changed (+350 −51), over the limit of 400.",
    },
    {
      name: "both limits, configured lower",
      config: { scope: { max_files: 1, max_changed_lines: 10 } },
      overrides: {},
      status: "warn",
      actual: "2 files changed, over the limit of 1. 15 lines changed (+12 −3), over the limit of 10.",
    },
  ])("flags $name", ({ config, overrides, status, actual }) => {
    const finding = only(scopeRule(snapshot(overrides), policyFrom(config), NOW));
    expect(finding.status).toBe(status);
    expect(finding.actual).toBe(actual);
    expect(finding.remedy).toContain("minimal change that fixes the immediate issue: no refactoring, no improvements");
    expect(finding.remedy).toContain("Move everything else to a regular pull request.");
  });

  it("passes exactly at the limits", () => {
    const finding = only(scopeRule(snapshot({ changedFiles: 20, additions: 300, deletions: 100 }), policyFrom(), NOW));
    expect(finding.status).toBe("pass");
  });

  describe("forbidden paths", () => {
    const policy = policyFrom({ scope: { forbidden_paths: ["db/migrations/**", "/^infra\\//"], level: "fail" } });

    it.each([
      { name: "a changed migration", files: [file("db/migrations/0042_add_currency.sql")], listed: "`db/migrations/0042_add_currency.sql` (matches `db/migrations/**`)" },
      { name: "a deleted migration", files: [file("db/migrations/0001.sql", "removed")], listed: "`db/migrations/0001.sql` (matches `db/migrations/**`)" },
      { name: "a regex match", files: [file("infra/prod.tf")], listed: "`infra/prod.tf` (matches `/^infra\\//`)" },
    ])("fails on $name and names the file", ({ files, listed }) => {
      const finding = only(scopeRule(snapshot({ files, changedFiles: files.length }), policy, NOW));
      expect(finding.status).toBe("fail");
      expect(finding.actual).toBe(`Forbidden paths touched: ${listed}.`);
      expect(finding.expected).toContain("no file matching `db/migrations/**` and `/^infra\\//`");
      expect(finding.remedy).toContain("Revert the changes to the forbidden paths");
    });

    it("passes when no changed file is forbidden, and says so", () => {
      const finding = only(scopeRule(snapshot(), policy, NOW));
      expect(finding).toMatchObject({ status: "pass", actual: "2 files and 15 lines changed; no forbidden path touched" });
    });

    it("lists at most ten files and counts the rest", () => {
      const files = Array.from({ length: 13 }, (_, index) => file(`db/migrations/${String(index).padStart(2, "0")}.sql`));
      const finding = only(scopeRule(snapshot({ files, changedFiles: 13 }), policy, NOW));
      expect(finding.actual).toContain("`db/migrations/09.sql` (matches `db/migrations/**`) and 3 more.");
      expect(finding.actual).not.toContain("db/migrations/10.sql");
    });

    it("does not pass when the file list could not be read", () => {
      const finding = only(scopeRule(snapshot({ files: undefined }), policy, NOW));
      expect(finding.status).toBe("fail");
      expect(finding.actual).toBe("The changed files could not be read, so forbidden paths were not checked.");
      expect(finding.remedy).toContain("Re-run the check");
    });

    it("does not pass when GitHub listed fewer files than changed", () => {
      const finding = only(scopeRule(snapshot({ changedFiles: 5 }), policyFrom({ scope: { forbidden_paths: ["db/**"], max_files: 3000 } }), NOW));
      expect(finding.status).toBe("warn");
      expect(finding.actual).toBe("3 changed files could not be read, so not every file was checked against the forbidden paths.");
    });

    it("needs no file list when no path is forbidden", () => {
      expect(only(scopeRule(snapshot({ files: undefined }), policyFrom(), NOW)).status).toBe("pass");
    });
  });
});
