/**
 * Issue 15: seed 001's commit template `hotfix([scope]): [brief description]` must be expressible,
 * must match `hotfix(api): fix currency` and a description with `/`, and a pattern copied from the
 * seed that could never match is a configuration error, not a silent miss.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { commitPatternProblem, compileTextPattern } from "../../src/config/patterns.js";
import { commitMessagesRule } from "../../src/rules/commit-messages.js";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";

function problemsOf(commits: unknown) {
  const result = resolveConfig([{ location: "acme/payments:.github/hotfix-guard.yml", config: { commits } }]);
  return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.expected}`);
}

describe("commit subject patterns", () => {
  it.each([
    ["hotfix(*): *", "hotfix(api): fix currency", true],
    ["hotfix(*): *", "hotfix(api): fix a/b rounding", true],
    ["hotfix(*): *", "HOTFIX: fix", false],
    ["HOTFIX: ?*", "HOTFIX: Brief description of critical fix", true],
    ["/^hotfix\\([^)]+\\): \\S/", "hotfix(api): fix a/b rounding", true],
    ["hotfix: {fix,revert} *", "hotfix: revert a/b", true],
  ])("%s on %s: %s", (pattern, subject, matches) => {
    expect(commitPatternProblem(pattern)).toBeNull();
    expect(compileTextPattern(pattern).test(subject)).toBe(matches);
  });

  it.each([
    ["hotfix([scope]): [brief description]", "`hotfix(*): *`"],
    ["HOTFIX: [Brief description]", "`HOTFIX: *`"],
  ])("refuses the seed's template %s as a glob, suggesting %s", (pattern, suggestion) => {
    expect(commitPatternProblem(pattern)).toContain(suggestion);
    expect(problemsOf({ convention: "fail", subject: [pattern] })).toStrictEqual([expect.stringContaining(`commits.subject[0]: a glob with \`*\` where the text varies, such as ${suggestion}`)]);
  });

  it("still accepts a real character class", () => {
    expect(commitPatternProblem("hotfix-[0-9]*: *")).toBeNull();
  });
});

describe("commits.examples", () => {
  it.each([
    ["seed 001 pattern and examples", { subject: ["hotfix(*): *"], examples: ["hotfix(api): fix currency", "hotfix(api): fix a/b"] }, []],
    ["an example no pattern accepts", { subject: ["hotfix(*): *"], examples: ["hotfix: fix currency"] }, ["commits.examples[0]", "commits.subject[0]"]],
    ["a pattern that accepts no example", { subject: ["hotfix(*): *", "/^fix: /"], examples: ["hotfix(api): fix currency"] }, ["commits.subject[1]"]],
    ["no examples: nothing to cross-check", { subject: ["/^fix: /"] }, []],
  ])("%s", (_, commits, paths) => {
    expect(problemsOf(commits).map((problem) => problem.split(":")[0])).toStrictEqual(paths);
  });

  it("checks the commits the app reads with a seed-style glob", () => {
    const policy = policyFrom({ commits: { convention: "fail", subject: ["hotfix(*): *"], fields: [], examples: ["hotfix(api): fix currency"] } });
    const commits = [
      { sha: "1111111", message: "hotfix(api): fix a/b currency rounding", parents: 1 },
      { sha: "2222222", message: "fix currency", parents: 1 },
    ];
    const [row] = commitMessagesRule(snapshot({ commits }), policy, NOW);
    expect(row?.status).toBe("fail");
    expect(row?.actual).toBe('1 commit does not follow the convention (2 checked): 2222222 "fix currency": first line does not follow the convention.');
  });
});
