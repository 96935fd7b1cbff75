/**
 * Configured patterns: globs translated to RE2, `/regex/` literals, reference formats, branch
 * grammars, and that hostile patterns and inputs cannot stall matching.
 */
import { describe, expect, it } from "vitest";
import { compileGrammar } from "../../src/config/branch-grammar.js";
import { COMPILED_EXPRESSION_LIMIT, compilePattern, compileRe2, compileReferenceFormat, patternProblem } from "../../src/config/patterns.js";
import { resolveConfig } from "../../src/config/load.js";

describe("globs", () => {
  it.each([
    ["**/*.test.*", "src/a/b.test.ts", true],
    ["**/*.test.*", "b.test.ts", true],
    ["**/*.test.*", "src/btest.ts", false],
    ["test/**", "test/unit/a.ts", true],
    ["test/**", "test", true],
    ["test/**", "tests/a.ts", false],
    ["release/*", "release/1.3", true],
    ["release/*", "release/1.3/x", false],
    ["db/migrations/**", "db/migrations/2026/001.sql", true],
    ["*.{js,ts}", "index.ts", true],
    ["*.{js,ts}", "index.rb", false],
    ["src/[abc]*.ts", "src/b1.ts", true],
    ["src/[!abc]*.ts", "src/b1.ts", false],
    ["file?.md", "file1.md", true],
    [".github/**", ".github/workflows/ci.yml", true],
    ["a+b(c).txt", "a+b(c).txt", true],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(compilePattern(glob).test(path)).toBe(expected);
  });
});

describe("regexes", () => {
  it("runs /regex/flags unanchored, with flags", () => {
    expect(compilePattern("/^hotfix\\//").test("hotfix/x")).toBe(true);
    expect(compilePattern("/HOTFIX/i").test("a hotfix b")).toBe(true);
    expect(compilePattern("/^HOTFIX/").test("hotfix")).toBe(false);
  });

  it("finishes at once on a pattern and input that make backtracking engines hang", () => {
    const evil = compilePattern("/^(a+)+$/");
    expect(evil.test(`${"a".repeat(50_000)}!`)).toBe(false);
  });

  it.each([
    ["/(?=look)/", "regular expression"],
    ["/(unclosed/", "regular expression"],
    ["src/[abc", "glob"],
    ["src/{a,b", "glob"],
  ])("rejects %s as an invalid %s", (pattern, kind) => {
    expect(patternProblem(pattern)).toContain(`a valid ${kind}`);
  });
});

describe("reference formats", () => {
  it.each([
    ["#{number}", "See #4521 for details", true],
    ["#{number}", "#[incident-number]", false],
    ["INC-{number}", "inc-77", true],
    ["{url}", "https://status.example.com/incidents/9", true],
    ["JIRA-{key}", "JIRA-OPS-12", true],
    ["/^P[0-9]+$/", "P0", true],
  ])("%s in %j: %s", (format, text, expected) => {
    expect(compileReferenceFormat(format).test(text)).toBe(expected);
  });
});

describe("branch grammars", () => {
  it("captures placeholders loosely so a rule can say which part is wrong", () => {
    expect(compileGrammar("hotfix/v{version}-{slug}").match("hotfix/v1.2.3-Fix_Login")).toStrictEqual({ version: "1.2.3", slug: "Fix_Login" });
    expect(compileGrammar("hotfix/emergency-{date}-{time}").match("hotfix/emergency-20261123-1505")).toStrictEqual({ date: "20261123", time: "1505" });
    expect(compileGrammar("hotfix/v{version}-{slug}").match("hotfix/emergency-20261123-1505")).toBeNull();
  });

  it("treats regex characters in the literal part literally", () => {
    expect(compileGrammar("hot.fix/{slug}").match("hotXfix/a")).toBeNull();
  });

  it.each([["hotfix/{ticket}"], ["hotfix/{slug}-{slug}"], ["hotfix/{slug"]])("rejects %s", (grammar) => {
    expect(() => compileGrammar(grammar)).toThrow();
  });
});

describe("compiled expressions shared between policies", () => {
  it("compiles an expression once: two repositories with the same patterns share the program", () => {
    const policies = ["acme/payments", "acme/billing"].map((repo) => resolveConfig([{ location: `${repo}:.github/hotfix-guard.yml`, config: null }]));
    expect(compileRe2("^release/[^/]*$")).toBe(compileRe2("^release/[^/]*$"));
    expect(policies.every((result) => result.ok && result.policy.releaseBranches.test("release/1.3"))).toBe(true);
  });

  it("keeps a bounded number, and a pattern compiled again after being dropped still matches exactly its own text", () => {
    const count = COMPILED_EXPRESSION_LIMIT + 50;
    const matchers = Array.from({ length: count }, (_, i) => compilePattern(`release-${i}/*`));
    const first = compileRe2("^first-dropped$");
    for (let i = 0; i < count; i += 1) compileRe2(`^filler-${i}$`);
    expect(compileRe2("^first-dropped$")).not.toBe(first);
    expect(matchers.every((matcher, i) => matcher.test(`release-${i}/x`) && !matcher.test(`release-${i + 1}/x`))).toBe(true);
  });

  it("keeps nothing for an expression that does not compile: it is refused every time", () => {
    expect(patternProblem("/(unclosed/")).toMatch(/regular expression/);
    expect(patternProblem("/(unclosed/")).toMatch(/regular expression/);
  });
});
