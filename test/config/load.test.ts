/**
 * Configuration files in, a policy or precise problems out: table-driven over valid and invalid
 * files, `_extends` merging, and hostile keys.
 */
import { describe, expect, it } from "vitest";
import { mergeConfig, resolveConfig, type ConfigFile } from "../../src/config/load.js";

const REPO_FILE = "acme/payments:.github/hotfix-guard.yml";
const ORG_FILE = "acme/.github:.github/hotfix-guard.yml";

function load(config: unknown, base?: unknown) {
  const files: ConfigFile[] = [{ location: REPO_FILE, config }];
  if (base !== undefined) files.push({ location: ORG_FILE, config: base });
  return resolveConfig(files);
}

describe("valid configuration", () => {
  it.each([
    { name: "no file at all", config: null, check: (c: any) => expect(c.branches.production).toBe("main") },
    { name: "an empty file", config: {}, check: (c: any) => expect(c.approvals.required).toBe(1) },
    { name: "seed 004's branches", config: { branches: { production: "kars-prod", develop: "kars-dev" } }, check: (c: any) => expect(c.branches).toMatchObject({ production: "kars-prod", develop: "kars-dev", release: "release/*" }) },
    { name: "a custom grammar", config: { hotfix: { branch_names: ["hotfix/{slug}"] } }, check: (c: any) => expect(c.hotfix.branch_names).toStrictEqual(["hotfix/{slug}"]) },
    { name: "severity-dependent approvals", config: { approvals: { by_severity: { HIGH: 2 } } }, check: (c: any) => expect(c.approvals.by_severity).toStrictEqual({ HIGH: 2 }) },
    { name: "sections as names and objects", config: { template: { sections: ["Root Cause", { name: "Ticket", formats: ["JIRA-{number}"] }] } }, check: (c: any) => expect(c.template.sections).toHaveLength(2) },
    { name: "a regex release pattern", config: { branches: { release: "/^release\\/\\d+\\.\\d+$/" } }, check: (c: any) => expect(c.branches.release).toContain("release") },
  ])("accepts $name", ({ config, check }) => {
    const result = load(config);
    expect(result.ok).toBe(true);
    if (result.ok) check(result.policy.config);
  });

  it("says the defaults applied when no file exists, and names the files otherwise", () => {
    const none = resolveConfig([{ location: REPO_FILE, config: null }, { location: ORG_FILE, config: null }]);
    const some = load({}, {});
    expect(none.ok && none.policy.source).toStrictEqual({ kind: "defaults", files: [] });
    expect(some.ok && some.policy.source).toStrictEqual({ kind: "file", files: [REPO_FILE, ORG_FILE] });
  });
});

describe("invalid configuration", () => {
  it.each([
    { name: "a misspelt top-level key", config: { aprovals: { required: 2 } }, path: "aprovals", expected: "one of the known keys: branches, hotfix", found: "an unknown key" },
    { name: "a misspelt nested key", config: { scope: { levle: "fail" } }, path: "scope.levle", expected: "max_files, max_changed_lines, forbidden_paths, level", found: "an unknown key" },
    { name: "a word where a number belongs", config: { approvals: { required: "two" } }, path: "approvals.required", expected: "a number", found: '"two"' },
    { name: "a negative count", config: { approvals: { required: -1 } }, path: "approvals.required", expected: "at least 0", found: "-1" },
    { name: "an unknown level", config: { scope: { level: "block" } }, path: "scope.level", expected: 'one of "warn", "fail"', found: '"block"' },
    { name: "a glob that does not close", config: { tests: { globs: ["test/[abc"] } }, path: "tests.globs[0]", expected: "a valid glob (unclosed \"[\"", found: '"test/[abc"' },
    { name: "a regex RE2 rejects", config: { scope: { forbidden_paths: ["/(?=lookahead)/"] } }, path: "scope.forbidden_paths[0]", expected: "a valid regular expression (RE2 syntax)", found: '"/(?=lookahead)/"' },
    { name: "an unknown grammar placeholder", config: { hotfix: { branch_names: ["hotfix/{ticket}"] } }, path: "hotfix.branch_names[0]", expected: "unknown placeholder {ticket}", found: '"hotfix/{ticket}"' },
    { name: "an empty grammar list", config: { hotfix: { branch_names: [] } }, path: "hotfix.branch_names", expected: "a list of at least 1 item(s)", found: "a list: []" },
    { name: "an unknown reference placeholder", config: { template: { sections: [{ name: "Ticket", formats: ["JIRA-{id}"] }] } }, path: "template.sections[0].formats[0]", expected: "unknown placeholder {id}", found: '"JIRA-{id}"' },
    { name: "a section that is a number", config: { template: { sections: [5] } }, path: "template.sections[0]", expected: "a section name, or a mapping", found: "5" },
    { name: "a login with an @", config: { approvals: { reviewers: { users: ["@octocat"] } } }, path: "approvals.reviewers.users[0]", expected: "a GitHub login", found: '"@octocat"' },
    { name: "a mapping where a list belongs", config: { tests: { globs: { a: 1 } } }, path: "tests.globs", expected: "a array", found: "a mapping" },
    { name: "an empty value", config: { branches: { production: null } }, path: "branches.production", expected: "a string", found: "null (an empty value)" },
  ])("reports $name with the key path, what was expected and what was found", ({ config, path, expected, found }) => {
    const result = load(config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem?.file).toBe(REPO_FILE);
    expect(problem?.expected).toContain(expected);
    expect(problem?.found).toContain(found);
  });

  it("reports a file that is not a mapping", () => {
    const result = load(["a", "list"]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ path: "(top level)", expected: "a mapping of settings (key: value)" });
  });

  it("reports every problem at once, not only the first", () => {
    const result = load({ scope: { level: "x", max_files: "y" }, approvals: { required: "z" } });
    expect(!result.ok && result.problems.map((p) => p.path).sort()).toStrictEqual(["approvals.required", "scope.level", "scope.max_files"]);
  });

  it("names the _extends source when the bad value comes from it", () => {
    const result = load({ approvals: { required: 1 } }, { scope: { level: "block" } });
    expect(!result.ok && result.problems[0]).toMatchObject({ file: ORG_FILE, path: "scope.level" });
  });
});

describe("merging an _extends base", () => {
  it("merges mappings key by key and replaces lists rather than concatenating them", () => {
    const result = load({ tests: { globs: ["spec/**"] }, approvals: { required: 2 } }, { tests: { globs: ["test/**", "**/*.test.*"], required: false }, approvals: { by_severity: { HIGH: 3 } } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.config.tests).toStrictEqual({ required: false, globs: ["spec/**"] });
    expect(result.policy.config.approvals).toMatchObject({ required: 2, by_severity: { HIGH: 3 } });
  });

  it("reports a __proto__ key as unknown and never lets it reach a prototype", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "approvals": {"__proto__": {"required": 0}}}');
    const merged = mergeConfig({ approvals: { required: 1 } }, hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    const result = load(hostile);
    expect(!result.ok && result.problems.map((p) => p.path).sort()).toStrictEqual(["__proto__", "approvals.__proto__"]);
  });
});
