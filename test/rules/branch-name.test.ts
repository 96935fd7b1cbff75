import { describe, expect, it } from "vitest";
import { branchNameRule, checkBranchName, looksLikeHotfixBranch, needsLatestTag, suggestBranchName } from "../../src/rules/branch-name.js";
import { NOW, policyFrom, snapshot } from "../helpers/builders.js";

const DEFAULT = policyFrom();
const SEED_004 = policyFrom({ hotfix: { branch_names: ["hotfix/{slug}"] } });
const SEED_003 = policyFrom({ hotfix: { branch_names: ["hotfix/emergency-{date}-{time}"] } });
const VERSION_ONLY = policyFrom({ hotfix: { branch_names: ["hotfix/v{version}-{slug}"] } });
const ANY_VERSION = policyFrom({ hotfix: { version_follows_latest_tag: false } });
const DEFAULT_AND_SLUG = policyFrom({ hotfix: { branch_names: ["hotfix/{slug}", "hotfix/v{version}-{slug}", "hotfix/emergency-{date}-{time}"] } });

const LONG_SLUG = "checkout-rejects-every-charge-because-the-currency-code-is-empty";

describe("checkBranchName: names that pass", () => {
  it.each([
    { name: "the next patch", policy: DEFAULT, branch: "hotfix/v1.4.3-default-currency", tag: "v1.4.2", words: ["1.4.3", "next patch", "v1.4.2"] },
    { name: "a recent emergency timestamp", policy: DEFAULT, branch: "hotfix/emergency-20261123-1400", tag: "v1.4.2", words: ["UTC", "72-hour"] },
    { name: "an emergency timestamp a few minutes ahead (clock skew)", policy: DEFAULT, branch: "hotfix/emergency-20261123-1503", tag: "v1.4.2", words: ["UTC"] },
    { name: "any version when the repository has no tag", policy: DEFAULT, branch: "hotfix/v2.0.0-first-fix", tag: null, words: ["no vX.Y.Z tag"] },
    { name: "any version when it need not follow the tag", policy: ANY_VERSION, branch: "hotfix/v3.1.0-fix", tag: "v1.4.2", words: ["version_follows_latest_tag"] },
    { name: "seed 004's free slug", policy: SEED_004, branch: "hotfix/critical-issue", tag: null, words: ["critical-issue", "kebab-case"] },
    { name: "seed 003 inside the window", policy: SEED_003, branch: "hotfix/emergency-20261120-1600", tag: null, words: ["71 hours old"] },
    { name: "a slug of exactly the maximum length", policy: SEED_004, branch: `hotfix/${"a".repeat(50)}`, tag: null, words: ["50 characters"] },
  ])("$name: $branch", ({ policy, branch, tag, words }) => {
    const finding = checkBranchName(branch, policy, tag, NOW);
    expect(finding).toMatchObject({ rule: "branch-name", title: "Branch name", status: "pass" });
    expect(finding.actual).toContain(branch);
    for (const word of words) expect(finding.actual).toContain(word);
    expect(finding.remedy).toBeUndefined();
    expect(suggestBranchName(branch, policy, tag, NOW)).toBe(branch);
  });
});

describe("checkBranchName: names that fail", () => {
  it.each([
    { name: "a version that skips a patch", policy: DEFAULT, branch: "hotfix/v1.4.5-default-currency", tag: "v1.4.2", words: ["skips ahead", "1.4.3"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "an older version", policy: DEFAULT, branch: "hotfix/v1.4.1-default-currency", tag: "v1.4.2", words: ["older than the latest tag"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "the released version", policy: DEFAULT, branch: "hotfix/v1.4.2-default-currency", tag: "v1.4.2", words: ["already released"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "a minor bump", policy: DEFAULT, branch: "hotfix/v1.5.0-default-currency", tag: "v1.4.2", words: ["minor bump"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "a version with a leading zero", policy: DEFAULT, branch: "hotfix/v01.4.3-default-currency", tag: null, words: ["not a valid"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "a date that does not exist", policy: DEFAULT, branch: "hotfix/emergency-20261131-1200", tag: "v1.4.2", words: ["not a real calendar date"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "a time that does not exist", policy: SEED_003, branch: "hotfix/emergency-20261123-2460", tag: null, words: ["not a real time"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "local time in UTC+2 (future)", policy: DEFAULT, branch: "hotfix/emergency-20261123-1700", tag: "v1.4.2", words: ["2 hours in the future", "UTC", "local time"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "a stale timestamp past the window", policy: SEED_003, branch: "hotfix/emergency-20261119-1200", tag: null, words: ["99 hours ago", "72-hour"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "an uppercase slug", policy: DEFAULT, branch: "hotfix/v1.4.3-Default-Currency", tag: "v1.4.2", words: ["uppercase"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "an underscore slug", policy: DEFAULT, branch: "hotfix/v1.4.3-default_currency", tag: "v1.4.2", words: ['`_`'], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "a slug that is too long", policy: DEFAULT, branch: `hotfix/v1.4.3-${LONG_SLUG}`, tag: "v1.4.2", words: ["over the limit of 50"], suggestion: "hotfix/v1.4.3-checkout-rejects-every-charge-because-the-currency" },
    { name: "seed 004 with uppercase and underscore", policy: SEED_004, branch: "hotfix/Critical_Issue", tag: null, words: ["uppercase", '`_`'], suggestion: "hotfix/critical-issue" },
    { name: "seed 004 with a slash in the slug", policy: SEED_004, branch: "hotfix/payments/refund", tag: null, words: ['`/`'], suggestion: "hotfix/payments-refund" },
    { name: "no grammar: another prefix", policy: DEFAULT, branch: "feature/default-currency", tag: "v1.4.2", words: ["none of the accepted", "does not start with `hotfix/`"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "no grammar: a capitalised prefix", policy: DEFAULT, branch: "Hotfix/v1.4.3-default-currency", tag: "v1.4.2", words: ["starts with `Hotfix/` instead of `hotfix/`"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "no grammar: a dash after the prefix and underscores", policy: DEFAULT, branch: "hotfix-emergency_20261123_1400", tag: "v1.4.2", words: ["instead of"], suggestion: "hotfix/emergency-20261123-1400" },
    { name: "no grammar: the version without its v", policy: DEFAULT, branch: "hotfix/1.4.3-default-currency", tag: "v1.4.2", words: ["none of the accepted", "1.4.3 (the next patch"], suggestion: "hotfix/v1.4.3-default-currency" },
    { name: "no grammar, no tag: the emergency grammar needs no version", policy: DEFAULT, branch: "feature/x", tag: null, words: ["does not start with"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "no grammar, no tag, only a version grammar", policy: VERSION_ONLY, branch: "feature/default-currency", tag: null, words: ["none of the accepted"], suggestion: "hotfix/vX.Y.Z-default-currency" },
    { name: "seed 003 with a slug name", policy: SEED_003, branch: "hotfix/fix-login", tag: null, words: ["none of the accepted"], suggestion: "hotfix/emergency-20261123-1500" },
    { name: "seed 004 without the prefix", policy: SEED_004, branch: "bugfix/critical-issue", tag: null, words: ["does not start with"], suggestion: "hotfix/critical-issue" },
    { name: "the most specific grammar is reported", policy: DEFAULT_AND_SLUG, branch: "hotfix/v1.4.9-fix", tag: "v1.4.2", words: ["shape of `hotfix/v{version}-{slug}`", "skips ahead"], suggestion: "hotfix/v1.4.3-fix" },
  ])("$name: $branch", ({ policy, branch, tag, words, suggestion }) => {
    const finding = checkBranchName(branch, policy, tag, NOW);
    expect(finding).toMatchObject({ rule: "branch-name", title: "Branch name", status: "fail" });
    expect(finding.actual).toContain(branch);
    for (const word of words) expect(`${finding.actual} ${finding.expected}`).toContain(word);
    expect(finding.remedy).toContain(`Rename the branch to \`${suggestion}\``);
    expect(finding.remedy).toContain(`git branch -m ${branch} ${suggestion} && git push origin -u ${suggestion} && git push origin --delete ${branch}`);
    expect(suggestBranchName(branch, policy, tag, NOW)).toBe(suggestion);
  });

  it("says that a pull request is closed by renaming its head branch, in git or on GitHub", () => {
    const { remedy } = checkBranchName("hotfix/v1.5.0-fix", DEFAULT, "v1.4.2", NOW);
    expect(remedy).toMatch(/closes that pull request/);
    expect(remedy).toMatch(/GitHub's rename button/);
    expect(remedy).toMatch(/open a new pull request/);
  });

  it("tells the developer to replace X.Y.Z when no tag says which version", () => {
    const { remedy } = checkBranchName("feature/default-currency", VERSION_ONLY, null, NOW);
    expect(remedy).toContain("Replace X.Y.Z");
  });

  it("explains how to write the current UTC time", () => {
    const { remedy } = checkBranchName("hotfix/emergency-20261123-1700", DEFAULT, "v1.4.2", NOW);
    expect(remedy).toContain("date -u +%Y%m%d-%H%M");
  });

  it("suggests a placeholder slug when the branch has no words to keep", () => {
    const { remedy } = checkBranchName("hotfix/v1.4.3-___", DEFAULT, "v1.4.2", NOW);
    expect(remedy).toContain("`hotfix/v1.4.3-describe-the-fix`");
    expect(remedy).toContain("a few words about the fix");
  });

  it("quotes a branch name for the shell when it holds shell syntax", () => {
    const { remedy } = checkBranchName("hotfix/$(reboot)", DEFAULT, "v1.4.2", NOW);
    expect(remedy).toContain("git branch -m 'hotfix/$(reboot)' ");
  });

  it("lists the accepted names and what each placeholder must be when none matches", () => {
    const { expected } = checkBranchName("feature/x", DEFAULT, "v1.4.2", NOW);
    expect(expected).toContain("`hotfix/v{version}-{slug}`, `hotfix/emergency-{date}-{time}`");
    expect(expected).toContain("{version} is 1.4.3");
    expect(expected).toContain("in UTC");
    expect(expected).toContain("at most 50 characters");
  });
});

describe("branchNameRule", () => {
  it("passes the default snapshot's branch", () => {
    expect(branchNameRule(snapshot(), DEFAULT, NOW)).toEqual([expect.objectContaining({ rule: "branch-name", status: "pass" })]);
  });

  it("uses the snapshot's latest tag", () => {
    const [finding] = branchNameRule(snapshot({ latestVersionTag: "v1.4.3" }), DEFAULT, NOW);
    expect(finding?.status).toBe("fail");
    expect(finding?.remedy).toContain("`hotfix/v1.4.4-default-currency`");
  });

  it("fails a label-only hotfix whose branch lacks the prefix, and says why it is checked", () => {
    const [finding] = branchNameRule(snapshot({ headRef: "fix-currency", labels: ["Hotfix"] }), DEFAULT, NOW);
    expect(finding?.status).toBe("fail");
    expect(finding?.actual).toContain("label makes this pull request a hotfix");
    expect(finding?.remedy).toContain("`hotfix/v1.4.3-fix-currency`");
  });
});

describe("looksLikeHotfixBranch", () => {
  it.each(["hotfix/x", "Hotfix/x", "HOTFIX/x", "hotfix-x", "hotfix_x", "hot-fix/x", "Hot_Fix/x", "hotfixes/x", "hotfixs/x", "hotfix/"])("%s looks like a hotfix branch", (branch) => {
    expect(looksLikeHotfixBranch(branch, DEFAULT)).toBe(true);
  });

  it.each(["feature/x", "hotfix", "hotfixing/x", "fix/x", "release/hotfix/x", "", "h/otfix/x"])("%s does not", (branch) => {
    expect(looksLikeHotfixBranch(branch, DEFAULT)).toBe(false);
  });

  it("follows a configured prefix", () => {
    const policy = policyFrom({ hotfix: { prefix: "emergency/", branch_names: ["emergency/{slug}"] } });
    expect(looksLikeHotfixBranch("Emergency-login", policy)).toBe(true);
    expect(looksLikeHotfixBranch("hotfix/login", policy)).toBe(false);
  });
});

describe("needsLatestTag", () => {
  it.each([
    { name: "a version branch", policy: DEFAULT, branch: "hotfix/v1.4.3-fix", needed: true },
    { name: "an emergency branch", policy: DEFAULT, branch: "hotfix/emergency-20261123-1500", needed: false },
    { name: "a branch matching no grammar", policy: DEFAULT, branch: "feature/x", needed: false },
    { name: "a version branch when versions need not follow the tag", policy: ANY_VERSION, branch: "hotfix/v1.4.3-fix", needed: false },
    { name: "seed 004, which has no version", policy: SEED_004, branch: "hotfix/v1.4.3-fix", needed: false },
    { name: "seed 003, which has no version", policy: SEED_003, branch: "feature/x", needed: false },
    { name: "a version branch that also fits a slug grammar", policy: DEFAULT_AND_SLUG, branch: "hotfix/v1.4.3-fix", needed: true },
  ])("$name: $needed", ({ policy, branch, needed }) => {
    expect(needsLatestTag(branch, policy)).toBe(needed);
  });
});

describe("the suggestion's notes", () => {
  it("never asks to replace X.Y.Z in a suggested name that has no version", () => {
    const finding = checkBranchName("hotfix/login fix", policyFrom(), null, NOW);
    expect(finding.status).toBe("fail");
    expect(finding.remedy).toContain("Rename the branch to `hotfix/emergency-20261123-1500`.");
    expect(finding.remedy).not.toContain("X.Y.Z");
  });
});
