import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Policy } from "../../src/config/policy.js";
import { checkBranchName, looksLikeHotfixBranch, needsLatestTag, suggestBranchName } from "../../src/rules/branch-name.js";
import { NOW, policyFrom } from "../helpers/builders.js";

const POLICIES: readonly Policy[] = [
  policyFrom(),
  policyFrom({ hotfix: { branch_names: ["hotfix/{slug}"] } }),
  policyFrom({ hotfix: { branch_names: ["hotfix/emergency-{date}-{time}"] } }),
  policyFrom({ hotfix: { branch_names: ["hotfix/v{version}-{slug}"] } }),
  policyFrom({ hotfix: { version_follows_latest_tag: false, slug_max_length: 3, emergency_window_hours: 0.5 } }),
  policyFrom({ hotfix: { branch_names: ["hotfix/{slug}", "hotfix/v{version}-{slug}", "hotfix/{date}-{slug}"], slug_max_length: 12 } }),
];

const policy = fc.constantFrom(...POLICIES);
const tag = fc.constantFrom(null, "v1.4.2", "v0.0.0", "v10.20.30", "v2.0.0-rc.1");
const now = fc.oneof(fc.constant(NOW), fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }));

const nearMissChar = fc.constantFrom("a", "z", "B", "0", "9", "-", "_", ".", "/", " ", "é", "`", "$");
/** Branch names close to the grammars, so that shapes match and meanings fail. */
const nearMiss = fc
  .tuple(
    fc.constantFrom("hotfix/", "Hotfix-", "hot-fix/", "hotfixes/", "HOTFIX_", "feature/", ""),
    fc.constantFrom("v1.4.3-", "v1.5.0-", "v01.2.3-", "1.4.3-", "emergency-", "v", "emergency_", ""),
    fc.oneof(fc.integer({ min: 0, max: 99_999_999 }).map((n) => String(n).padStart(8, "0")), fc.constant("")),
    fc.constantFrom("-", "_", ""),
    fc.oneof(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")), fc.constant("")),
    fc.string({ unit: nearMissChar, maxLength: 80 }),
  )
  .map((parts) => parts.join(""));

const branch = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme-ascii", minLength: 200, maxLength: 2_000 }),
  nearMiss,
);

const HOSTILE: readonly string[] = [
  `hotfix/v${"1".repeat(10_000)}.2.3-fix`,
  `hotfix/v1.4.3-${"a-".repeat(5_000)}_`,
  `hotfix/v1.4.3-${"a".repeat(10_000)}`,
  `hotfix/emergency-${"9".repeat(10_000)}-1200`,
  `hotfix/${"-".repeat(10_000)}`,
  `Hotfix/${"A_".repeat(5_000)}`,
  `${"h-".repeat(5_000)}otfix/x`,
  "hotfix/v1.".repeat(1_100),
  "`".repeat(10_001),
  "é".repeat(10_001),
  "\u0301".repeat(10_001),
  `hotfix/${"$(reboot)'".repeat(1_000)}`,
];

/** The suggestion may keep the literal X.Y.Z only when no tag says which version to use. */
function mayKeepVersionPlaceholder(suggestion: string, latestTag: string | null): boolean {
  return suggestion.includes("X.Y.Z") && latestTag === null;
}

function expectWellFormed(finding: ReturnType<typeof checkBranchName>): void {
  expect(finding.rule).toBe("branch-name");
  expect(["pass", "fail"]).toContain(finding.status);
  expect(finding.actual.length).toBeGreaterThan(0);
  expect(finding.expected.length).toBeGreaterThan(0);
  if (finding.status === "fail") expect(finding.remedy).toBeTruthy();
}

describe("checkBranchName on any input", () => {
  it("never throws and always returns a well-formed finding", () => {
    fc.assert(
      fc.property(branch, policy, tag, now, (name, p, latest, at) => {
        expectWellFormed(checkBranchName(name, p, latest, at));
        looksLikeHotfixBranch(name, p);
        needsLatestTag(name, p);
      }),
    );
  });

  it("suggests, for every failing name, a name that itself passes", () => {
    fc.assert(
      fc.property(branch, policy, tag, now, (name, p, latest, at) => {
        const finding = checkBranchName(name, p, latest, at);
        const suggestion = suggestBranchName(name, p, latest, at);
        if (finding.status === "pass") {
          expect(suggestion).toBe(name);
          return;
        }
        expect(finding.remedy).toContain(suggestion);
        if (mayKeepVersionPlaceholder(suggestion, latest)) return;
        expect(checkBranchName(suggestion, p, latest, at).status).toBe("pass");
      }),
      { numRuns: 300 },
    );
  });

  it("accepts exactly the names it suggests for names that only look like hotfix branches", () => {
    fc.assert(
      fc.property(nearMiss, policy, (name, p) => {
        const suggestion = suggestBranchName(name, p, "v1.4.2", NOW);
        expect(checkBranchName(suggestion, p, "v1.4.2", NOW).status).toBe("pass");
      }),
      { numRuns: 300 },
    );
  });
});

describe("checkBranchName on hostile input", () => {
  it.each(HOSTILE.map((name) => [name.slice(0, 30), name] as const))("%s…: a finding, a short suggestion that passes", (_, name) => {
    for (const p of POLICIES) {
      for (const latest of [null, "v1.4.2"]) {
        const finding = checkBranchName(name, p, latest, NOW);
        expectWellFormed(finding);
        const suggestion = suggestBranchName(name, p, latest, NOW);
        expect(suggestion.length).toBeLessThan(300);
        if (!mayKeepVersionPlaceholder(suggestion, latest)) expect(checkBranchName(suggestion, p, latest, NOW).status).toBe("pass");
      }
    }
  });
});
