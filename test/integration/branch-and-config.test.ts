/**
 * `create` and `push` events through `probot.receive`: a mis-named hotfix branch is told its
 * corrected name; a change to the configuration is picked up at once and validated.
 */
import { describe, expect, it } from "vitest";
import { HEAD_SHA } from "../helpers/builders.js";
import { registerBranchCreatedHandler } from "../../src/handlers/branch-created.js";
import { registerConfigPushHandler } from "../../src/handlers/config-push.js";
import { GitHubMock, probotWith, testProbot } from "../helpers/app.js";
import { branchCreatedEvent, pullRequestEvent, pullRequestObject, pushEvent } from "../helpers/fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";

const BRANCH_SHA = "b".repeat(40);

describe("a branch is created", () => {
  it("gives a mis-named hotfix branch a failing check with the corrected name", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).tags(["v2.0.0"]).branchHead("hotfix/v2.1.0-Login_Bug", BRANCH_SHA).listCheckRuns(BRANCH_SHA).createCheckRun();

    await probot.receive(branchCreatedEvent("hotfix/v2.1.0-Login_Bug"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: branch name", head_sha: BRANCH_SHA, conclusion: "failure" });
    expect(run.output.summary).toContain("hotfix/v2.0.1-login-bug");
  });

  it("says nothing about a well-named hotfix branch", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).tags(["v2.0.0"]);

    await probot.receive(branchCreatedEvent("hotfix/v2.0.1-login-bug"));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });

  it("ignores branches that are not hotfix branches, and tags", async () => {
    const probot = await probotWith(registerBranchCreatedHandler);
    const github = new GitHubMock().token().config(null);

    await probot.receive(branchCreatedEvent("feature/new-checkout"));
    const tag = branchCreatedEvent("v1.0.0");
    await probot.receive({ ...tag, payload: { ...tag.payload, ref_type: "tag" } });

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });
});

describe("the configuration changes", () => {
  it("drops the cached configuration and validates the new one on the pushed commit", async () => {
    const probot = await testProbot();
    const github = new GitHubMock().token().config(null).pull(pullRequestObject({ headRef: "feature/x" })).listCheckRuns(HEAD_SHA).createCheckRun();
    new MergeBackMock(github).listReminders("open");
    await probot.receive(pullRequestEvent("opened", { headRef: "feature/x" }));
    const after = "c".repeat(40);
    github.config("branches:\n  production: kars-prod\n").listCheckRuns(after).createCheckRun();

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, after));
    await probot.receive(pullRequestEvent("synchronize", { headRef: "feature/x" }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: configuration", head_sha: after, conclusion: "success" });
  });

  it("reports an invalid new configuration on the commit that introduced it", async () => {
    const probot = await testProbot();
    const after = "d".repeat(40);
    const github = new GitHubMock().token().config("scope:\n  level: block\n").listCheckRuns(after).createCheckRun();

    await probot.receive(pushEvent("main", { added: [".github/hotfix-guard.yml"] }, after));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: configuration", conclusion: "failure", output: { title: "Hotfix Guard: invalid configuration" } });
    expect(run.output.summary).toContain("`scope.level`");
  });

  it("ignores pushes that do not touch the configuration or not on the default branch", async () => {
    const probot = await probotWith(registerConfigPushHandler);
    const github = new GitHubMock();

    await probot.receive(pushEvent("main", { modified: ["src/app.ts"] }));
    await probot.receive(pushEvent("hotfix/v1.0.1-x", { modified: [".github/hotfix-guard.yml"] }));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
  });
});
