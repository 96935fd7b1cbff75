import { describe, expect, it } from "vitest";
import { commitMessagesRule } from "../../src/rules/commit-messages.js";
import type { CommitFact } from "../../src/rules/types.js";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";

const GOOD_MESSAGE = `hotfix(payments): default the currency code

EMERGENCY FIX: every charge was rejected since the 14:05 deploy
Root Cause: the cart sends an empty currency code
Impact: all customers could not check out
Solution: default to the account's currency`;

function commit(message: string, sha = "0123456789abcdef0123456789abcdef01234567", parents = 1): CommitFact {
  return { sha, message, parents };
}

function only(findings: ReturnType<typeof commitMessagesRule>) {
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

const WARN = policyFrom({ commits: { convention: "warn" } });
const FAIL = policyFrom({ commits: { convention: "fail" } });

describe("commitMessagesRule", () => {
  it("skips when the convention is off, the default", () => {
    const finding = only(commitMessagesRule(snapshot({ commits: [commit("wip")] }), policyFrom(), NOW));
    expect(finding).toMatchObject({ rule: "commits", title: "Commit messages", status: "skip", actual: "not checked: `commits.convention` is off" });
  });

  it.each([
    { name: "seed 001's template", message: GOOD_MESSAGE },
    { name: "seed 003's subject", message: GOOD_MESSAGE.replace("hotfix(payments): default", "HOTFIX: Default") },
    { name: "a subject without scope", message: GOOD_MESSAGE.replace("hotfix(payments):", "hotfix:") },
    { name: "field names in another case", message: GOOD_MESSAGE.replace("Root Cause:", "root cause:").replace("EMERGENCY FIX:", "Emergency fix:") },
    { name: "Windows line endings", message: GOOD_MESSAGE.replace(/\n/g, "\r\n") },
    { name: "trailers after the fields", message: `${GOOD_MESSAGE}\n\nCo-Authored-By: Carol <carol@example.com>` },
  ])("passes $name", ({ message }) => {
    const finding = only(commitMessagesRule(snapshot({ commits: [commit(message)] }), FAIL, NOW));
    expect(finding.status).toBe("pass");
    expect(finding.actual).toBe("The one non-merge commit follows the convention");
  });

  it.each([
    {
      name: "a subject outside the convention",
      message: GOOD_MESSAGE.replace("hotfix(payments): default", "Fix: default"),
      problem: '0123456 "Fix: default the currency code": first line does not follow the convention',
    },
    {
      name: "a missing field",
      message: GOOD_MESSAGE.replace(/^Impact:.*$/m, ""),
      problem: '0123456 "hotfix(payments): default the currency code": missing "Impact:"',
    },
    {
      name: "the template's placeholders left in",
      message: `hotfix(api): x\n\nEMERGENCY FIX: outage\nRoot Cause: [What caused the problem]\nImpact: TBD\nSolution:`,
      problem: '0123456 "hotfix(api): x": missing "Root Cause:", "Impact:" and "Solution:"',
    },
    {
      name: "only a subject",
      message: "quick fix",
      problem: '0123456 "quick fix": first line does not follow the convention; missing "EMERGENCY FIX:", "Root Cause:", "Impact:" and "Solution:"',
    },
    {
      name: "a field only in the subject",
      message: "hotfix(api): Root Cause: cache",
      problem: '0123456 "hotfix(api): Root Cause: cache": missing "EMERGENCY FIX:", "Root Cause:", "Impact:" and "Solution:"',
    },
  ])("flags $name at the configured level", ({ message, problem }) => {
    for (const [policy, status] of [
      [WARN, "warn"],
      [FAIL, "fail"],
    ] as const) {
      const finding = only(commitMessagesRule(snapshot({ commits: [commit(message)] }), policy, NOW));
      expect(finding.status).toBe(status);
      expect(finding.actual).toBe(`1 commit does not follow the convention (1 checked): ${problem}.`);
    }
  });

  it("does not check merge commits", () => {
    const commits = [commit(GOOD_MESSAGE), commit("Merge branch 'main' into hotfix/v1.4.3-x", "f".repeat(40), 2), commit(GOOD_MESSAGE, "e".repeat(40))];
    const finding = only(commitMessagesRule(snapshot({ commits }), FAIL, NOW));
    expect(finding).toMatchObject({ status: "pass", actual: "All 2 non-merge commits follow the convention" });
  });

  it("lists at most ten commits and counts the rest", () => {
    const commits = Array.from({ length: 12 }, (_, index) => commit(`wip ${index}`, `${String(index).padStart(2, "0")}${"a".repeat(38)}`));
    const finding = only(commitMessagesRule(snapshot({ commits }), WARN, NOW));
    expect(finding.actual).toMatch(/^12 commits do not follow the convention \(12 checked\): 00aaaaa "wip 0"/);
    expect(finding.actual).toContain('09aaaaa "wip 9"');
    expect(finding.actual).not.toContain("wip 10");
    expect(finding.actual).toMatch(/; and 2 more\.$/);
  });

  it("cuts a long subject", () => {
    const finding = only(commitMessagesRule(snapshot({ commits: [commit(`update ${"x".repeat(200)}`)] }), WARN, NOW));
    expect(finding.actual).toContain(`"update ${"x".repeat(52)}…"`);
  });

  it.each([
    { policy: WARN, status: "warn" },
    { policy: FAIL, status: "fail" },
  ])("is $status, never pass, when the commits could not be read", ({ policy, status }) => {
    const finding = only(commitMessagesRule(snapshot({ commits: undefined }), policy, NOW));
    expect(finding.status).toBe(status);
    expect(finding.actual).toBe("The commits could not be read, so their messages were not checked.");
    expect(finding.remedy).toMatch(/^Re-run the check\./);
  });

  it("shows seed 001's template and how to reword", () => {
    const finding = only(commitMessagesRule(snapshot({ commits: [commit("wip")] }), FAIL, NOW));
    expect(finding.remedy).toContain(
      "hotfix([scope]): [brief description]\n\nEMERGENCY FIX: [Detailed explanation of issue]\nRoot Cause: [What caused the problem]\nImpact: [Who/what was affected]\nSolution: [What the fix does]",
    );
    expect(finding.remedy).toContain("`git commit --amend`");
    expect(finding.remedy).toContain("`git rebase -i origin/main`");
    expect(finding.expected).toBe(
      'Every non-merge commit: a first line matching `/^hotfix(\\([^)]+\\))?: \\S/` and `/^HOTFIX: \\S/`, and body lines "EMERGENCY FIX: …", "Root Cause: …", "Impact: …" and "Solution: …"',
    );
  });

  it("follows the configured subject and fields", () => {
    const policy = policyFrom({ commits: { convention: "fail", subject: ["/^HOTFIX: \\S/"], fields: ["Fixes", "Risk"] } });
    const passing = only(commitMessagesRule(snapshot({ commits: [commit("HOTFIX: restart pool\n\nFixes: pool exhaustion\nRisk: Low")] }), policy, NOW));
    expect(passing.status).toBe("pass");
    const failing = only(commitMessagesRule(snapshot({ commits: [commit(GOOD_MESSAGE)] }), policy, NOW));
    expect(failing.actual).toContain('first line does not follow the convention; missing "Fixes:" and "Risk:"');
    expect(failing.remedy).toContain("HOTFIX: [brief description]\n\nFixes: [details]\nRisk: [details]");
  });
});
