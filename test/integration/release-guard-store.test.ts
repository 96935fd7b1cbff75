/**
 * The release guard's open hotfixes come from the hotfix log, on PGlite: the first release check
 * of a repository lists the open reminders once and the log keeps them; later checks read the log
 * (no listing), still see a hotfix whose reminder was closed by hand, and stop looking once
 * merge-back tracking found the fix in every target.
 */
import { Probot } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerMergeBackHandlers } from "../../src/handlers/merge-back.js";
import { registerPullRequestHandlers } from "../../src/handlers/pull-request.js";
import { createServices } from "../../src/handlers/services.js";
import { registerReleaseGuardHandlers } from "../../src/handlers/release-guard.js";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import type { Row } from "../../src/model/merge-back.js";
import type { Database } from "../../src/store/database.js";
import { APP_ID, GitHubMock, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { BACKENDS, HOOK_TIMEOUT_MS } from "../helpers/databases.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";
import { branchPushEvent, HOTFIX_BRANCH, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { RELEASE_SHA } from "../helpers/release-fixtures.js";

const MISSING: Row[] = [
  { target: "develop", status: "missing" },
  { target: "release/1.5", status: "missing" },
];

describe.each(BACKENDS)("the release guard's open hotfixes from the hotfix log on $name", (backend) => {
  let db: Database;
  let store: HotfixLogStore;
  const problems: unknown[] = [];

  beforeAll(async () => {
    db = await backend.open();
    store = new HotfixLogStore(db, () => NOW);
  }, HOOK_TIMEOUT_MS);
  afterAll(() => backend.dispose(db), HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    await db.query("TRUNCATE merge_back_states, merge_back_synced, hotfix_records, hotfix_events");
    problems.length = 0;
  });

  async function guardProbot(): Promise<Probot> {
    const probot = new Probot(TEST_PROBOT_OPTIONS);
    const hotfixLog = new HotfixRecorder(store, () => NOW, { warn: (details) => problems.push(details) });
    const services = createServices({ now: () => NOW, identity: { appId: APP_ID, appOctokit: () => probot.auth() }, hotfixLog });
    services.ownLogin = Promise.resolve("hotfix-guard[bot]");
    await probot.load(
      (app) => {
        registerPullRequestHandlers(app, services);
        registerReleaseGuardHandlers(app, services);
        registerMergeBackHandlers(app, services);
      },
      { cwd: process.cwd(), addHandler: () => undefined },
    );
    return probot;
  }

  /** A release pull request from release/1.5 (read afresh) and its check run; its head lacks hotfix #42. */
  function releasePullRequest(github: GitHubMock, mb: MergeBackMock, number = 50, headSha = RELEASE_SHA): ReturnType<typeof pullRequestEvent> {
    const shape = { number, headRef: "release/1.5", headSha, title: "Release 1.5", body: "Release" };
    github.pull(pullRequestObject(shape)).listCheckRuns(headSha).createCheckRun();
    mb.compare(headSha, HEAD_SHA, "diverged").closedPulls().commitsOf(headSha);
    return pullRequestEvent("opened", shape);
  }

  it("lists the reminders once, then reads the log: a hotfix whose reminder was closed by hand still fails the release", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock().token().config(null);
    const mb = new MergeBackMock(github).seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState(MISSING)) });
    mb.listReminders("open");
    await probot.receive(releasePullRequest(github, mb));
    expect(github.lastWrite()).toMatchObject({ conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });

    mb.issue(7).state = "closed";
    github.requests.length = 0;
    await probot.receive(releasePullRequest(github, mb, 51, "cd".repeat(20)));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => request.includes("/issues"))).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "failure", output: { title: "Release lacks 1 hotfix" } });
    expect(github.lastWrite().output.summary).toContain("- ❌ Hotfix #42");
    expect(problems).toStrictEqual([]);
  });

  it("stops looking for a hotfix once merge-back tracking found it in every target", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock().token().config(null);
    const rows: Row[] = [{ target: "develop", status: "missing" }];
    const mb = new MergeBackMock(github).seedIssue({ number: 7, title: "Back-merge hotfix #42", body: reminderBody(reminderState(rows)) });
    await store.syncMergeBacks("acme/payments", [{ state: reminderState(rows), reminder: 7 }]);
    mb.listReminders("open").compare("develop", HEAD_SHA, "behind").comment(7).updateIssue(7);
    github.branchHead(HOTFIX_BRANCH, null);
    await probot.receive(branchPushEvent("develop"));
    expect(mb.issue(7).state).toBe("closed");

    const shape = { number: 50, headRef: "release/1.5", headSha: RELEASE_SHA, title: "Release 1.5", body: "Release" };
    github.pull(pullRequestObject(shape)).listCheckRuns(RELEASE_SHA).createCheckRun();
    github.requests.length = 0;
    await probot.receive(pullRequestEvent("opened", shape));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => request.includes("/issues") || request.includes("/compare/"))).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success", output: { title: "Not a hotfix" } });
  });

  it("keeps a skip recorded by merge-back tracking: the release passes without reading its history", async () => {
    const probot = await guardProbot();
    const github = new GitHubMock().token().config(null);
    const skipped: Row[] = [
      { target: "develop", status: "missing" },
      { target: "release/1.5", status: "skipped", skip: { by: "admin-carol", reason: "1.5 rewrote the currency code", at: "2026-11-23T15:00:00Z" } },
    ];
    await store.syncMergeBacks("acme/payments", []);
    await new HotfixRecorder(store, () => NOW, { warn: (details) => problems.push(details) }).mergeBackState("acme/payments", reminderState(skipped), 7);
    const shape = { number: 50, headRef: "release/1.5", headSha: RELEASE_SHA, title: "Release 1.5", body: "Release" };
    github.pull(pullRequestObject(shape)).listCheckRuns(RELEASE_SHA).createCheckRun();

    await probot.receive(pullRequestEvent("opened", shape));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.lastWrite()).toMatchObject({ conclusion: "success" });
    expect(github.lastWrite().output.summary).toContain("skipped by @admin-carol (`/hotfix skip-merge-back`): 1.5 rewrote the currency code");
  });
});
