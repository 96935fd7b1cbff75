/**
 * The release guard through `probot.receive`, GitHub served by nock: a release pull request's
 * "Hotfix Guard" check lists the open hotfixes its head lacks (ancestry, a merged back-merge of a
 * squashed hotfix, a cherry-pick, a skip), a tag and a published release get a "Hotfix Guard:
 * release" check and one comment per missing hotfix's reminder, and a failed read never says
 * "all present".
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock, probotWith } from "../helpers/app.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";
import { HOTFIX_CHANGE, MergeBackMock } from "../helpers/merge-back-mocks.js";
import { MERGE_SHA, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";
import { tagCreatedEvent } from "../helpers/audit-fixtures.js";
import { RELEASE_SHA, releasePublishedEvent } from "../helpers/release-fixtures.js";
import { registerPullRequestHandlers } from "../../src/handlers/pull-request.js";
import { registerReleaseGuardHandlers } from "../../src/handlers/release-guard.js";
import type { Row } from "../../src/model/merge-back.js";

const MISSING: Row[] = [
  { target: "develop", status: "missing" },
  { target: "release/1.5", status: "missing" },
];

function guardProbot() {
  return probotWith((app, services) => {
    registerPullRequestHandlers(app, services);
    registerReleaseGuardHandlers(app, services);
  });
}

/** GitHub with the default configuration (or the given one) and reminder #7 of hotfix #42. */
function setUp(rows: Row[] = MISSING, hotfix: Parameters<typeof reminderState>[2] = {}, config: string | null = null): { github: GitHubMock; mb: MergeBackMock } {
  const github = new GitHubMock().token().config(config).app();
  const mb = new MergeBackMock(github).seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState(rows, {}, hotfix)) });
  return { github, mb };
}

/** The release pull request #50 from `branch` into main, read afresh, and its check run. */
function releasePullRequest(github: GitHubMock, branch = "release/1.5"): ReturnType<typeof pullRequestEvent> {
  const shape = { number: 50, headRef: branch, headSha: RELEASE_SHA, title: "Release 1.5", body: "Release" };
  github.pull(pullRequestObject(shape)).listCheckRuns(RELEASE_SHA).createCheckRun();
  return pullRequestEvent("opened", shape);
}

describe("a release pull request into production", () => {
  it("passes when every open hotfix is in its head by ancestry", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    const event = releasePullRequest(github);
    mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "behind");

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard", conclusion: "success", output: { title: "All 1 open hotfix present" } });
  });

  it("fails and names the missing hotfix with its version and the commands to bring it in", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    const event = releasePullRequest(github);
    mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "diverged").closedPulls([{ number: 44, base: "develop", headRef: "feature/x" }]).commitsOf(RELEASE_SHA);

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard", conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });
    expect(run.output.summary).toContain("- ❌ Hotfix #42 (hotfix(payments): default the currency code, version `v1.4.3`, tracked in #7) is missing. Bring it in:");
    expect(run.output.summary).toContain("  git checkout release/1.5\n  git pull origin release/1.5\n  git fetch origin pull/42/head\n");
    expect(mb.comments).toStrictEqual([]);
  });

  it("only warns for a pull request from the develop branch", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    const event = releasePullRequest(github, "develop");
    mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "diverged").closedPulls().commitsOf(RELEASE_SHA);

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "neutral", output: { title: "Release lacks 1 hotfix" } });
    expect(github.lastWrite().output.summary).toContain("Warning only");
  });

  it("passes when a squashed hotfix reached the release branch only as a merged back-merge pull request", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp(MISSING, { method: "squash-or-rebase" });
    const event = releasePullRequest(github);
    mb.listReminders("open")
      .compare(RELEASE_SHA, MERGE_SHA, "diverged")
      .compare(RELEASE_SHA, HEAD_SHA, "diverged")
      .closedPulls([{ number: 61, base: "release/1.5", headRef: "backport/42-to-release/1.5", title: "Back-merge hotfix #42 into release/1.5" }]);

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success", output: { title: "All 1 open hotfix present" } });
  });

  it("passes when the hotfix was cherry-picked into the release", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    const event = releasePullRequest(github);
    mb.listReminders("open")
      .compare(RELEASE_SHA, HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf(RELEASE_SHA, [{ sha: "c".repeat(40), message: `fix\n\n(cherry picked from commit ${HEAD_SHA})` }]);

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success" });
  });

  it("passes with the skip shown when an authoriser skipped the release branch, without reading its history", async () => {
    const probot = await guardProbot();
    const skipped: Row[] = [
      { target: "develop", status: "missing" },
      { target: "release/1.5", status: "skipped", skip: { by: "admin-carol", reason: "1.5 rewrote the currency code", at: "2026-11-23T15:00:00Z" } },
    ];
    const { github, mb } = setUp(skipped);
    const event = releasePullRequest(github);
    mb.listReminders("open");

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain("skipped by @admin-carol (`/hotfix skip-merge-back`): 1.5 rewrote the currency code");
  });

  describe("a copy of the hotfix made of new commits (patch equivalence)", () => {
    const REBASED = {
      filename: "src/payments/charge.ts",
      patch: ["@@ -57,6 +57,7 @@ export function charge(", "   const total = roundHalfEven(amount);", "-    const code = currency;", '+    const code = currency ?? "EUR";', "+    log(code);", "     return submit(total, code);"].join("\n"),
    };

    /** Release PR #50 whose head is neither descended from the hotfix nor names it: the last look decides. */
    function copyScenario(target: Parameters<MergeBackMock["sameChange"]>[1], truncated = false) {
      const { github, mb } = setUp(MISSING, { method: "squash-or-rebase" });
      const event = releasePullRequest(github);
      mb.listReminders("open")
        .compare(RELEASE_SHA, MERGE_SHA, "diverged")
        .compare(RELEASE_SHA, HEAD_SHA, "diverged")
        .closedPulls()
        .commitsOf(RELEASE_SHA, [], "explicit")
        .sameChange(RELEASE_SHA, target, { truncated });
      return { github, mb, event };
    }

    it("passes when the hotfix is present only as a squashed copy", async () => {
      const probot = await guardProbot();
      const { github, event } = copyScenario([HOTFIX_CHANGE]);

      await probot.receive(event);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(github.lastWrite()).toMatchObject({ conclusion: "success", output: { title: "All 1 open hotfix present" } });
    });

    it("passes when a rebased copy moved the lines and squashed other work with them", async () => {
      const probot = await guardProbot();
      const { github, event } = copyScenario([{ filename: "src/ledger.ts", patch: "@@ -3 +3 @@\n-a\n+b" }, REBASED]);

      await probot.receive(event);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(github.lastWrite()).toMatchObject({ conclusion: "success" });
    });

    it("fails when the release carries a similar but different change", async () => {
      const probot = await guardProbot();
      const { github, event } = copyScenario([{ filename: "src/payments/charge.ts", patch: REBASED.patch.replace('"EUR"', '"USD"') }]);

      await probot.receive(event);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(github.lastWrite()).toMatchObject({ conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });
      expect(github.lastWrite().output.summary).toContain("- ❌ Hotfix #42");
    });

    it("says 'not verified', never 'present', when GitHub cut the comparison short, even with the copy listed", async () => {
      const probot = await guardProbot();
      const { github, event } = copyScenario([HOTFIX_CHANGE], true);

      await probot.receive(event);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      const run = github.lastWrite();
      expect(run.conclusion).toBe("failure");
      expect(run.output.summary).toContain("could not be verified (the comparison with the target is too large for GitHub to list every changed file); treated as missing");
    });
  });

  it("reads the release's commits once for all open hotfixes, and names each one it lacks", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    const head44 = "4".repeat(40);
    const merge44 = "3".repeat(40);
    const hotfix44 = { number: 44, title: "hotfix(payments): round totals", headRef: "hotfix/v1.4.4-round-totals", headSha: head44, mergeSha: merge44, commits: [head44] };
    mb.seedIssue({ number: 8, title: "Back-merge hotfix #44", body: reminderBody(reminderState(MISSING, {}, hotfix44)) });
    const event = releasePullRequest(github);
    mb.listReminders("open")
      .compare(RELEASE_SHA, HEAD_SHA, "diverged")
      .closedPulls()
      .commitsOf(RELEASE_SHA, [], "explicit")
      .sameChange(RELEASE_SHA, [])
      .compare(RELEASE_SHA, head44, "diverged")
      .sameChange(RELEASE_SHA, [], { number: 44, mergeSha: merge44 });

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => request === "GET /repos/acme/payments/commits")).toHaveLength(1);
    const run = github.lastWrite();
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Release lacks 2 hotfixes" } });
    expect(run.output.summary).toContain("- ❌ Hotfix #42");
    expect(run.output.summary).toContain("- ❌ Hotfix #44");
  });

  it("says 'Not a hotfix' as before when no hotfix is open", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock().token().config(null);
    const event = releasePullRequest(github);
    new MergeBackMock(github).listReminders("open");

    await probot.receive(event);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success", output: { title: "Not a hotfix" } });
  });

  it("writes no verdict when reading the release's history fails", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock().token().config(null).app();
    const mb = new MergeBackMock(github).seedIssue({ number: 7, body: reminderBody(reminderState(MISSING)) }).listReminders("open");
    const shape = { number: 50, headRef: "release/1.5", headSha: RELEASE_SHA };
    github.pull(pullRequestObject(shape));
    github.scope.get(`/repos/acme/payments/compare/${RELEASE_SHA}...${HEAD_SHA}`).query(true).reply(500, { message: "Server Error" });

    await expect(probot.receive(pullRequestEvent("opened", shape))).rejects.toThrow();

    expect(github.writes).toStrictEqual([]);
    expect(mb.comments).toStrictEqual([]);
  });
});

/** `GET /git/ref/tags/<tag>` pointing at the release commit. */
function tagRef(github: GitHubMock, tag: string, times = 1): void {
  github.scope
    .get(`/repos/acme/payments/git/ref/${encodeURIComponent(`tags/${tag}`)}`)
    .times(times)
    .reply(200, { ref: `refs/tags/${tag}`, object: { sha: RELEASE_SHA, type: "commit" } });
}

describe("a tag or published release", () => {
  it("gets a failing 'Hotfix Guard: release' check and one comment on the reminder, written once across redeliveries", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    tagRef(github, "v1.5.0", 2);
    mb.listReminders("open", 2).compare(RELEASE_SHA, HEAD_SHA, "diverged").compare(RELEASE_SHA, HEAD_SHA, "diverged").commitsOf(RELEASE_SHA).commitsOf(RELEASE_SHA).comment(7).listComments(7);
    github.listCheckRuns(RELEASE_SHA, 2).createCheckRun();

    await probot.receive(tagCreatedEvent("v1.5.0"));
    await probot.receive(tagCreatedEvent("v1.5.0"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: release", head_sha: RELEASE_SHA, conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });
    expect(mb.comments).toHaveLength(1);
    expect(mb.comments[0]?.body).toContain("⚠️ Tag `v1.5.0` (commit `abababa`) was released without hotfix #42");
    expect(mb.comments[0]?.body).toContain(`<!-- hotfix-guard:release-missing pr=42 sha=${RELEASE_SHA} -->`);
  });

  it("passes a tag on a release branch that has the hotfix, commenting nowhere", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    tagRef(github, "v1.5.0");
    mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "behind");
    github.listCheckRuns(RELEASE_SHA).createCheckRun();

    await probot.receive(tagCreatedEvent("v1.5.0"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: release", conclusion: "success" });
    expect(mb.comments).toStrictEqual([]);
  });

  it("ignores tags that are not versions", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock();

    await probot.receive(tagCreatedEvent("nightly"));

    expect(github.requests).toStrictEqual([]);
  });

  it("checks a published release against its target branch and comments once on the reminder", async () => {
    const probot = await guardProbot();
    const { github, mb } = setUp();
    tagRef(github, "v1.5.0");
    mb.listReminders("open").compare(RELEASE_SHA, HEAD_SHA, "diverged").closedPulls().commitsOf(RELEASE_SHA).comment(7);
    github.listCheckRuns(RELEASE_SHA).createCheckRun();

    await probot.receive(releasePublishedEvent("v1.5.0", "release/1.5"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: release", conclusion: "failure" });
    expect(mb.comments).toHaveLength(1);
    expect(mb.comments[0]?.body).toContain("git checkout release/1.5");
  });
});
