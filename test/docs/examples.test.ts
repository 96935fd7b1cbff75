/**
 * Issue 15, "done when": each seed's written procedure is expressed in docs/examples/, each
 * example configuration is valid, ships its own PR template, passes its seed's own good pull
 * request (the shipped template filled in) and refuses its bad one. Every example must have a row.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { judgeConfigText } from "../../src/cli/config-file.js";
import type { Policy } from "../../src/config/policy.js";
import { fillTemplate, TEMPLATE_PLACEHOLDERS } from "../../src/render/post-incident-template.js";
import { evaluateHotfix } from "../../src/rules/index.js";
import type { PullRequestSnapshot } from "../../src/rules/types.js";

const EXAMPLES = new URL("../../docs/examples/", import.meta.url);
const HEAD = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

/** One seed's procedure: its example, the good pull request and how the bad one differs. */
interface SeedCase {
  readonly seed: string;
  readonly now: string;
  /** Answers for the template's `[placeholders]`, in order of appearance. */
  readonly answers: Readonly<Record<string, string>>;
  readonly ticked: readonly string[];
  readonly pr: Partial<PullRequestSnapshot>;
  /** The bad pull request: a change to the good one, and the row it must fail. */
  readonly bad: { readonly change: (good: PullRequestSnapshot) => PullRequestSnapshot; readonly failingRule: string };
}

const CASES: Record<string, SeedCase> = {
  "emergency-fix-workflow": {
    seed: "000",
    now: "2026-11-23T15:00:00Z",
    answers: {
      "INC-[XXXX]": "INC-311",
      "[YYYY-MM-DD HH:MM]": "2026-11-23 14:20",
      "[CRITICAL]": "CRITICAL",
      "[Downtime duration]": "35 minutes",
      "[Number/Percentage]": "every customer at checkout",
      "[List]": "checkout",
      "[None/Partial/Full]": "None",
      "[Technical explanation]": "The payment retry loops on a declined card and exhausts the pool.",
      "[What was changed]": "The retry is disabled behind its flag.",
      "[Who deployed without the normal review, and what the review would have covered]": "dev-alice deployed it; the retry design review waits for the proper fix.",
    },
    ticked: ["Tested the specific issue", "Quick smoke test", "No obvious breaks"],
    pr: {
      headRef: "hotfix/disable-payment-retry",
      commits: [{ sha: "9a8b7c6", parents: 1, message: "Disable the failing payment retry\n\nEMERGENCY FIX: the retry exhausts the connection pool" }],
      // "Skip normal review process": nobody approved.
      reviews: [],
      reviewers: {},
    },
    // The change is not marked EMERGENCY FIX.
    bad: { change: (good) => ({ ...good, commits: [{ sha: "9a8b7c6", parents: 1, message: "Disable the failing payment retry" }] }), failingRule: "commits" },
  },
  "hotfix-log": {
    seed: "002",
    now: "2026-11-23T15:00:00Z",
    answers: {
      "HOTFIX-[NNN]": "HOTFIX-014",
      "[YYYY-MM-DD HH:MM]": "2026-11-23 14:20",
      "[🔴 Critical | 🟡 High | 🔵 Medium]": "🔴 Critical",
      "[How long to implement]": "25 minutes",
      "[Person who made the change]": "dev-alice",
      "[What was broken/failing]": "Search returns 500 for every query.",
      "[How many users affected, business impact]": "All users; no orders from search.",
      "[Why normal process couldn't wait]": "Search is down in production and cannot wait 2 hours.",
      "[Brief description of what was changed]": "Restore the index name.",
      "[What was touched]": "search service config",
      "[How to undo if it makes things worse]": "Revert the merge commit.",
      "[Best guess at cause]": "The index was renamed in the last deploy.",
      "[What corners were cut, what wasn't tested]": "No load test.",
      "[What metrics to watch post-fix]": "Search 5xx rate.",
    },
    ticked: [],
    pr: {
      headRef: "hotfix/restore-search-index",
      reviewers: { "senior-bob": { permission: "write", teams: ["senior-engineers"], notes: [] } },
    },
    // The entry lost its Rollback Plan.
    bad: { change: (good) => ({ ...good, body: good.body.replace(/\*\*Rollback Plan:\*\*.*\n/, "") }), failingRule: "template" },
  },
  "versioned-release-flow": {
    seed: "001",
    now: "2026-11-23T15:00:00Z",
    answers: {
      "#[incident-number]": "#4521",
      "[CRITICAL/HIGH]": "CRITICAL",
      "[Why this couldn't wait]": "Checkout fails for every customer.",
      "[Detailed description of production issue]": "The gateway client sends an empty currency code.",
      "[What the fix does and why it works]": "Default the currency to the account's.",
      "[describe what was tested]": "a charge in EUR/USD on staging",
      "[Y/N with justification]": "N: no staging slot during the outage",
      "[What normal processes were bypassed]": "Shortened review.",
      "[How to revert if fix fails]": "Revert the merge commit and redeploy.",
      "[How success will be verified]": "Checkout error rate for 30 minutes.",
    },
    ticked: ["Existing tests pass", "New test validates fix"],
    pr: {
      headRef: "hotfix/v1.4.3-default-currency",
      latestVersionTag: "v1.4.2",
      commits: [{ sha: "1a2b3c4", parents: 1, message: "hotfix(payments): fix EUR/USD rounding\n\nEMERGENCY FIX: charges fail\nRoot Cause: empty code\nImpact: all customers\nSolution: default currency" }],
      reviewers: { "senior-bob": { permission: "write", teams: ["senior-developers"], notes: [] } },
    },
    bad: { change: (good) => ({ ...good, body: good.body.replace(/\*\*Rollback Plan:\*\*.*\n/, "") }), failingRule: "template" },
  },
  "timestamped-emergency": {
    seed: "003",
    now: "2026-11-23T15:00:00Z",
    answers: {
      "INC-[number]": "INC-88",
      "[CRITICAL]": "CRITICAL",
      "[The critical issue: what broke, for whom, since when]": "Login fails for every user since 15:20.",
      "[The MINIMAL fix: the files it touches and why, no refactoring]": "Restore the session cookie domain.",
      "[How to undo it, for example ./scripts/rollback.sh production]": "./scripts/rollback.sh production",
    },
    ticked: ["Smoke tests pass", "Health check returns 200"],
    pr: {
      // `date +%Y%m%d-%H%M` in Berlin at 14:50 UTC.
      headRef: "hotfix/emergency-20261123-1550",
      commits: [{ sha: "5d6e7f8", parents: 1, message: "HOTFIX: Restore session cookie domain\n\nFixes: login broken\nRisk: Low\nRollback: Available via ./scripts/rollback.sh" }],
    },
    // The stamp an hour in the future of Berlin's clock.
    bad: { change: (good) => ({ ...good, headRef: "hotfix/emergency-20261123-1650" }), failingRule: "branch-name" },
  },
  "prod-dev-squash": {
    seed: "004",
    now: "2026-11-23T15:00:00Z",
    answers: {
      "[P0/P1]": "P0",
      "[What is broken in production, users affected, data at risk, workarounds]": "Payments fail for all users; no workaround.",
      "[The minimal change: fix one thing, no refactoring]": "Retry the Stripe webhook once.",
      "[railway rollback, git revert HEAD, or a forward fix]": "railway rollback",
    },
    ticked: ["Test reproduces the bug", "npm test passes"],
    pr: {
      headRef: "hotfix/critical-issue",
      baseRef: "kars-prod",
      reviewers: { "senior-bob": { permission: "write", teams: ["senior-engineers"], notes: [] } },
    },
    bad: { change: (good) => ({ ...good, body: good.body.replace("**Severity:** P0", "**Severity:** P2") }), failingRule: "severity" },
  },
};

function policyOf(name: string): Policy {
  const judged = judgeConfigText(readFileSync(new URL(`${name}.yml`, EXAMPLES), "utf8"), `docs/examples/${name}.yml`);
  if (!judged.result.ok) throw new Error(`invalid example: ${JSON.stringify(judged.result.problems)}`);
  return judged.result.policy;
}

function templateOf(name: string): string {
  return readFileSync(new URL(`templates/${name}.md`, EXAMPLES), "utf8");
}

/** The shipped template with every placeholder answered and the required boxes ticked. */
function filled(template: string, seedCase: SeedCase): string {
  let body = template;
  for (const [placeholder, answer] of Object.entries(seedCase.answers)) {
    if (!body.includes(placeholder)) throw new Error(`template lacks ${placeholder}`);
    body = body.replace(placeholder, answer);
  }
  for (const box of seedCase.ticked) body = body.replace(`- [ ] ${box}`, `- [x] ${box}`);
  return body;
}

function goodPullRequest(name: string, seedCase: SeedCase): PullRequestSnapshot {
  return {
    number: 7,
    title: "hotfix",
    body: filled(templateOf(name), seedCase),
    author: "dev-alice",
    headRef: "hotfix/x",
    headSha: HEAD,
    baseRef: "main",
    labels: [],
    additions: 10,
    deletions: 2,
    changedFiles: 2,
    files: [
      { filename: "src/fix.ts", status: "modified", additions: 4, deletions: 2 },
      { filename: "src/fix.test.ts", status: "modified", additions: 6, deletions: 0 },
    ],
    commits: [],
    reviews: [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD, submittedAt: "2026-11-23T14:55:00Z" }],
    reviewers: { "senior-bob": { permission: "write", teams: [], notes: [] } },
    latestVersionTag: null,
    ...seedCase.pr,
  };
}

const names = readdirSync(EXAMPLES).filter((file) => file.endsWith(".yml")).map((file) => file.slice(0, -4));

describe("docs/examples", () => {
  it("has a good and a bad pull request for every example", () => {
    expect(names.sort()).toStrictEqual(Object.keys(CASES).sort());
  });

  describe.each(names)("%s", (name) => {
    const seedCase = CASES[name] as SeedCase;
    const policy = policyOf(name);
    const now = new Date(seedCase.now);
    const good = goodPullRequest(name, seedCase);

    it("ships its own PR template, which the configuration names", () => {
      expect(policy.config.template.path).toBe(".github/PULL_REQUEST_TEMPLATE/hotfix.md");
      const unfilled = evaluateHotfix({ ...good, body: templateOf(name) }, policy, now);
      expect(unfilled.failures.map((finding) => finding.rule)).toContain("template");
    });

    it(`passes seed ${seedCase.seed}'s good pull request`, () => {
      const evaluation = evaluateHotfix(good, policy, now);
      expect(evaluation.failures.map((finding) => `${finding.rule}: ${finding.actual}`)).toStrictEqual([]);
      expect(evaluation.conclusion).toBe("success");
    });

    it(`refuses seed ${seedCase.seed}'s bad pull request`, () => {
      const evaluation = evaluateHotfix(seedCase.bad.change(good), policy, now);
      expect(evaluation.conclusion).toBe("failure");
      expect(evaluation.failures.map((finding) => finding.rule)).toContain(seedCase.bad.failingRule);
    });
  });
});

/** The examples that ship their seed's post-incident template, with the seed. */
const POST_MORTEMS: Record<string, string> = { "emergency-fix-workflow": "000", "prod-dev-squash": "004" };

describe.each(Object.entries(POST_MORTEMS))("%s-post-mortem.md", (name, seed) => {
  it(`is seed ${seed}'s post-incident template, using only placeholders the app fills`, () => {
    const template = readFileSync(new URL(`templates/${name}-post-mortem.md`, EXAMPLES), "utf8");
    const values = Object.fromEntries(TEMPLATE_PLACEHOLDERS.map((placeholder) => [placeholder, "x"]));
    expect(fillTemplate(template, values).unknown).toStrictEqual([]);
    expect(policyOf(name).config.post_incident.template).toBe(".github/hotfix-guard/post-incident.md");
  });
});
