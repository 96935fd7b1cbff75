/**
 * Pull request and review events through `probot.receive`, GitHub served by nock: which check
 * run is written, what it says, and that nothing is written twice.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { APP_ID, GitHubMock, testProbot } from "../helpers/app.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { checkRunRerequestedEvent, pullRequestEvent, pullRequestObject, reviewEvent } from "../helpers/fixtures.js";

const TEST_FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const APPROVAL = [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }];

/** Mocks a full evaluation of the default compliant hotfix PR (config already cached or not). */
function compliantHotfix(
  github: GitHubMock,
  options: { withConfig?: boolean; pr?: Record<string, unknown>; reviews?: typeof APPROVAL; permissions?: Record<string, string> } = {},
): GitHubMock {
  if (options.withConfig ?? true) github.config(null);
  github
    .pull(options.pr ?? pullRequestObject())
    .files(TEST_FILES)
    .reviews(options.reviews ?? APPROVAL)
    .tags(["v1.4.1", "v1.4.2", "v1.3.9"]);
  for (const [login, permission] of Object.entries(options.permissions ?? { "senior-bob": "write" })) github.permission(login, permission);
  return github;
}

describe("a hotfix pull request", () => {
  it("gets one passing check run when it meets the policy, saying the defaults applied", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard", head_sha: HEAD_SHA, conclusion: "success", status: "completed" });
    expect(run.output.title).toBe("Hotfix policy met");
    expect(run.output.summary).toContain("| ✅ | Branch name |");
    expect(run.output.summary).toContain("| ✅ | Approvals |");
    expect(run.output.summary).toContain("Configuration: the defaults");
    expect(run.output.summary).toContain("its branch looks like a hotfix branch (`hotfix/`)");
  });

  it("fails with a row per problem and how to fix each when the PR is a bare template", async () => {
    const probot = await testProbot();
    const template = (await import("node:fs")).readFileSync(".github/PULL_REQUEST_TEMPLATE/hotfix.md", "utf8");
    const pr = pullRequestObject({ headRef: "hotfix/Fix_Login", body: template });
    const github = new GitHubMock().token().config(null).pull(pr).files([{ filename: "src/login.ts" }]).reviews([]).reviewRequests([]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened", { headRef: "hotfix/Fix_Login", body: template }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.conclusion).toBe("failure");
    expect(run.output.title).toMatch(/^\d+ problems: /);
    for (const row of ["Branch name", "PR template", "Severity", "Incident reference", "Testing performed", "Test included", "Approvals"]) {
      expect(run.output.summary).toContain(`| ❌ | ${row} |`);
    }
    expect(run.output.summary).toContain("### How to fix");
  });

  it("writes nothing when the same delivery arrives again and the verdict is unchanged", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA).createCheckRun();
    const event = pullRequestEvent("opened");
    await probot.receive(event);
    compliantHotfix(github, { withConfig: false }).listCheckRuns(HEAD_SHA);

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
  });

  it("creates one check run when two deliveries of the same event arrive at once", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA, 2).createCheckRun();
    compliantHotfix(github, { withConfig: false });
    const event = pullRequestEvent("opened");

    await Promise.all([probot.receive(event), probot.receive({ ...event })]);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes.map((w) => w.method)).toStrictEqual(["POST"]);
  });

  it("updates its existing check run when the verdict changes, never adding a second", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token();
    const earlier = github.seedCheckRun({ head_sha: HEAD_SHA, name: "Hotfix Guard", conclusion: "failure", output: { title: "1 problem: approvals", summary: "old" } });
    compliantHotfix(github).listCheckRuns(HEAD_SHA).updateCheckRun(earlier);

    await probot.receive(reviewEvent("submitted", { reviewer: "senior-bob", state: "approved" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(github.writes[0]).toMatchObject({ method: "PATCH", body: { id: earlier, conclusion: "success" } });
  });

  it("does not count an approval given before the latest push", async () => {
    const probot = await testProbot();
    const stale = [{ reviewer: "senior-bob", state: "APPROVED", commitId: "0badc0de".repeat(5) }];
    const github = compliantHotfix(new GitHubMock().token(), { reviews: stale }).reviewRequests([]).listCheckRuns(HEAD_SHA).createCheckRun();
    github.compare("main", HEAD_SHA, { files: [{ filename: "src/payments/charge.ts", sha: "b".repeat(40) }] });
    github.compare("main", "0badc0de".repeat(5), { files: [{ filename: "src/payments/charge.ts", sha: "a".repeat(40) }] });

    await probot.receive(pullRequestEvent("synchronize"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite().conclusion).toBe("failure");
    expect(github.lastWrite().output.summary).toContain("| ❌ | Approvals |");
  });

  it("does not count the author's own approval, nor ask GitHub about it", async () => {
    const probot = await testProbot();
    const selfApproval = [{ reviewer: "dev-alice", state: "APPROVED", commitId: HEAD_SHA }];
    const github = compliantHotfix(new GitHubMock().token(), { reviews: selfApproval, permissions: {} }).reviewRequests([]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite().conclusion).toBe("failure");
  });

  it("treats a labelled PR from any branch as a hotfix", async () => {
    const probot = await testProbot();
    const pr = pullRequestObject({ headRef: "fix-checkout", labels: ["Hotfix"] });
    const github = new GitHubMock().token().config(null).pull(pr).files(TEST_FILES).reviews(APPROVAL).permission("senior-bob", "write").listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("labeled", { headRef: "fix-checkout", labels: ["Hotfix"] }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("it carries the `hotfix` label");
    expect(run.output.summary).toContain("| ❌ | Branch name |");
  });

  it("re-reads the PR instead of trusting a stale payload", async () => {
    const probot = await testProbot();
    const current = pullRequestObject({ body: "" });
    const github = new GitHubMock().token().config(null).pull(current).files(TEST_FILES).reviews(APPROVAL).tags(["v1.4.2"]).permission("senior-bob", "write").listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("edited", {}, { changes: { body: { from: "old" } } }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite().conclusion).toBe("failure");
    expect(github.lastWrite().output.summary).toContain("| ❌ | PR template |");
  });
});

describe("the review wait before an emergency bypass", () => {
  it("says a bypass is permitted once no eligible reviewer answered a request within 2 hours", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token(), { reviews: [], permissions: {} })
      .reviewRequests(["2026-11-23T12:40:00Z", "2026-11-23T14:00:00Z"])
      .listCheckRuns(HEAD_SHA)
      .createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("No eligible reviewer has reviewed within 2 hours of the review request (2026-11-23 12:40 UTC): an emergency bypass is now permitted.");
    expect(run.output.summary).toContain("**Bypass Reason:** No reviewer available within 2 hours");
  });

  it("says when a bypass would become permitted while the wait is running", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token(), { reviews: [], permissions: {} }).reviewRequests(["2026-11-23T14:30:00Z"]).listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite().output.summary).toContain("if no eligible reviewer responds by 2026-11-23 16:30 UTC, an emergency bypass becomes permitted");
  });
});

describe("re-running the check", () => {
  it("re-evaluates and rewrites the check run even when the verdict is the same", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA).createCheckRun();
    await probot.receive(pullRequestEvent("opened"));
    const [first] = github.writes;
    compliantHotfix(github, { withConfig: false }).listCheckRuns(HEAD_SHA).updateCheckRun(first?.body.id ?? 0);

    await probot.receive(checkRunRerequestedEvent("Hotfix Guard", APP_ID, { number: 42, baseRef: "main", headSha: HEAD_SHA }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes.map((w) => w.method)).toStrictEqual(["POST", "PATCH"]);
  });

  it("ignores re-runs of other apps' checks", async () => {
    const probot = await testProbot();
    const github = new GitHubMock();

    await probot.receive(checkRunRerequestedEvent("CI", APP_ID + 1, { number: 42, baseRef: "main", headSha: HEAD_SHA }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });
});

describe("pull requests that are not hotfixes", () => {
  it("gets a success 'Not a hotfix' check so a required check never blocks a release", async () => {
    const probot = await testProbot();
    const pr = pullRequestObject({ headRef: "release/1.5.0" });
    const github = new GitHubMock().token().config(null).pull(pr).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).listReminders("open");

    await probot.receive(pullRequestEvent("opened", { headRef: "release/1.5.0" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard", conclusion: "success", output: { title: "Not a hotfix" } });
  });

  it("gives a back-merge from a hotfix branch into develop only the back-merge check", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).files([{ filename: "src/payments/charge.ts" }]).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).getPull({ number: 42, head: "hotfix/v1.4.3-default-currency", mergeable: true });

    await probot.receive(pullRequestEvent("opened", { baseRef: "develop" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes.map((write) => [write.body.name, write.body.conclusion])).toStrictEqual([["Hotfix Guard: back-merge", "success"]]);
  });

  it("ignores an edit that changed neither title, body nor base, at no cost", async () => {
    const probot = await testProbot();
    const github = new GitHubMock();

    await probot.receive(pullRequestEvent("edited", {}, { changes: { assignees: {} } }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });

  it("ignores events its own bot caused, learning its name once", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().app().installation();

    await probot.receive(pullRequestEvent("labeled", {}, { sender: { login: "hotfix-guard[bot]", id: 99, type: "Bot" } }));
    await probot.receive(pullRequestEvent("unlabeled", {}, { sender: { login: "hotfix-guard[bot]", id: 99, type: "Bot" } }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });
});

describe("configuration", () => {
  it("reports an invalid file as a failing check naming the file, key, expectation and value", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config("approvals:\n  required: two\nscope:\n  levle: fail\n").listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard", conclusion: "failure", output: { title: "Hotfix Guard: invalid configuration" } });
    expect(run.output.summary).toContain("| `acme/payments:.github/hotfix-guard.yml` | `approvals.required` | a number | \"two\" |");
    expect(run.output.summary).toContain("`scope.levle`");
  });

  it("reports YAML that does not parse", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config("approvals: [unclosed\n").listCheckRuns(HEAD_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite().output.title).toBe("Hotfix Guard: invalid configuration");
    expect(github.lastWrite().output.summary).toContain("YAML syntax error at line 2");
  });

  it("extends the organisation's file, replacing arrays, and says which files applied", async () => {
    const probot = await testProbot();
    const github = new GitHubMock()
      .token()
      .config("_extends: .github\ntests:\n  globs: ['spec/**']\n")
      .orgConfig("approvals:\n  required: 0\ntests:\n  globs: ['**/*.test.*', 'test/**']\n")
      .pull(pullRequestObject())
      .files(TEST_FILES)
      .reviews([])
      .tags(["v1.4.2"])
      .listCheckRuns(HEAD_SHA)
      .createCheckRun();

    await probot.receive(pullRequestEvent("opened"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.output.summary).toContain("Configuration: `acme/payments:.github/hotfix-guard.yml`, extending `acme/.github:.github/hotfix-guard.yml`");
    expect(run.output.summary).toContain("| ✅ | Approvals |");
    expect(run.output.summary).toContain("| ❌ | Test included |");
  });

  it("reads the configuration once for consecutive events of a repository", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA).createCheckRun();
    await probot.receive(pullRequestEvent("opened"));
    compliantHotfix(github, { withConfig: false }).listCheckRuns(HEAD_SHA);

    await probot.receive(pullRequestEvent("ready_for_review"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
  });
});

describe("GitHub errors", () => {
  it("fails the delivery, rather than report success, when the check run cannot be written", async () => {
    const probot = await testProbot();
    const github = compliantHotfix(new GitHubMock().token()).listCheckRuns(HEAD_SHA).createCheckRun(1, 500);

    await expect(probot.receive(pullRequestEvent("opened"))).rejects.toThrow();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });
});
