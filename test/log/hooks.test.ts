/**
 * The hotfix log fed by the app's own handlers, through `probot.receive` with GitHub served by
 * nock and the log on PGlite: a hotfix opened, its review requested, reviewed, merged (with the
 * audit), deployed and its post-incident review closed appears once in the log with every step of
 * its timeline; the same deliveries again add nothing.
 */
import { Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/index.js";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import type { Database } from "../../src/store/database.js";
import { APP_ID, GitHubMock, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { MERGE_SHA } from "../helpers/audit-builders.js";
import { mergedHotfixEvent, mergedPullObject } from "../helpers/audit-fixtures.js";
import { AuditMock, branchRules, type RunShape } from "../helpers/audit-mocks.js";
import { HEAD_SHA, NOW } from "../helpers/builders.js";
import { BACKENDS } from "../helpers/databases.js";
import { pullRequestEvent, pullRequestObject, reviewEvent } from "../helpers/fixtures.js";
import { MAIN_BEFORE } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";

const TEST_FILES = [
  { filename: "src/payments/charge.ts", additions: 4, deletions: 3 },
  { filename: "src/payments/charge.test.ts", additions: 8, deletions: 0 },
];
const APPROVAL = [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }];
const CHECKS_PASSED: RunShape[] = [
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];
const INSTALLATION = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
const REPOSITORY = { ...pullRequestEvent("opened").payload.repository };

function deploymentStatus(environment: string): { id: string; name: "deployment_status"; payload: any } {
  return {
    id: `delivery-deploy-${environment}`,
    name: "deployment_status",
    payload: {
      action: "created",
      deployment_status: { id: 1, state: "success", environment, created_at: "2026-11-23T15:05:00Z", creator: { login: "deploy-bot", type: "User" }, target_url: "", environment_url: "" },
      deployment: { id: 700, sha: MERGE_SHA, ref: "main", environment, created_at: "2026-11-23T15:00:00Z" },
      repository: REPOSITORY,
      sender: { login: "deploy-bot", type: "User" },
      installation: INSTALLATION,
    },
  };
}

function postIncidentClosed(): { id: string; name: "issues"; payload: any } {
  return {
    id: "delivery-issue-closed",
    name: "issues",
    payload: {
      action: "closed",
      issue: { number: 101, state: "closed", labels: [{ name: "hotfix:post-incident" }], closed_at: "2026-11-24T09:00:00Z", updated_at: "2026-11-24T09:00:00Z", html_url: "https://github.com/acme/payments/issues/101" },
      repository: REPOSITORY,
      sender: { login: "dev-alice", type: "User" },
      installation: INSTALLATION,
    },
  };
}

describe.each(BACKENDS.slice(0, 1))("the hotfix log fed by the handlers on $name", (backend) => {
  let db: Database;
  let store: HotfixLogStore;
  let probot: Probot;
  const problems: unknown[] = [];

  beforeAll(async () => {
    db = await backend.open();
    store = new HotfixLogStore(db, () => NOW);
    const hotfixLog = new HotfixRecorder(store, () => NOW, { warn: (details) => problems.push(details) });
    probot = new Probot(TEST_PROBOT_OPTIONS);
    await probot.load(createApp({ now: () => NOW, appId: APP_ID, hotfixLog }), { cwd: process.cwd(), addHandler: () => undefined });
  }, 60_000);
  afterAll(() => backend.dispose(db));

  it("records every step of a hotfix's life once, in the order it happened", async () => {
    const github = new GitHubMock().token().config(null);
    github.pull(pullRequestObject()).files(TEST_FILES).reviews([]).reviewRequests([]).tags(["v1.4.2"]).listCheckRuns(HEAD_SHA).createCheckRun();
    const opened = pullRequestEvent("opened", {}, { pull_request: { ...pullRequestObject(), created_at: "2026-11-23T13:00:00Z", updated_at: "2026-11-23T13:00:00Z" } });
    await probot.receive(opened);
    github.pull(pullRequestObject()).files(TEST_FILES).reviews([]).reviewRequests([]).tags(["v1.4.2"]).listCheckRuns(HEAD_SHA);
    await probot.receive(
      pullRequestEvent("review_requested", {}, { pull_request: { ...pullRequestObject(), created_at: "2026-11-23T13:00:00Z", updated_at: "2026-11-23T13:05:00Z" }, requested_reviewer: { login: "senior-bob" } }),
    );
    github.pull(pullRequestObject()).files(TEST_FILES).reviews(APPROVAL).tags(["v1.4.2"]).permission("senior-bob", "write").listCheckRuns(HEAD_SHA).updateCheckRun(github.writes[0]?.body.id ?? 0);
    const review = reviewEvent("submitted", { reviewer: "senior-bob", state: "approved" });
    review.payload.review.submitted_at = "2026-11-23T14:40:00Z";
    review.payload.pull_request = { ...review.payload.pull_request, created_at: "2026-11-23T13:00:00Z", updated_at: "2026-11-23T14:40:00Z" };
    await probot.receive(review);

    const audit = new AuditMock(github);
    const mergeBack = new MergeBackMock(github);
    github.app();
    audit.pull(mergedPullObject()).listComments();
    github.reviews(APPROVAL).files(TEST_FILES).tags(["v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CHECKS_PASSED).listIssues("hotfix:protection-log").ruleSuites(403);
    audit.listIssues("hotfix:post-incident").tagRef("v1.4.3", null).postIncidentTemplate(404);
    audit.addLabels().createComment().listIssues("hotfix:audit-pending");
    mergeBack.listReminders("all").mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    let issues = 0;
    github.scope
      .post("/repos/acme/payments/issues")
      .times(2)
      .reply(201, (_uri, body) => {
        issues += 1;
        return { number: (body as { labels: string[] }).labels.includes("hotfix:post-incident") ? 101 : 102 + issues };
      });
    await probot.receive(mergedHotfixEvent());
    await probot.receive(deploymentStatus("staging"));
    await probot.receive(deploymentStatus("production"));
    await probot.receive(postIncidentClosed());
    await probot.receive(postIncidentClosed());

    expect(problems).toStrictEqual([]);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const page = await store.list({ repos: ["acme/payments"] }, { page: 1, perPage: 10 });
    expect(page.total).toBe(1);
    const detail = await store.get("acme/payments", "HOTFIX-001");
    expect(detail?.timeline.map((event) => event.kind)).toStrictEqual([
      "pr-opened",
      "review-requested",
      "review",
      "merged",
      "check-verdict",
      "check-verdict",
      "post-incident-opened",
      "deployed",
      "post-incident-closed",
    ]);
    expect(detail?.record).toMatchObject({
      pullRequest: 42,
      severity: "CRITICAL",
      incidentReference: "INC-4521",
      reviewers: ["senior-bob"],
      merger: "sre-admin",
      deployedAt: "2026-11-23T15:05:00Z",
      audit: { verdict: "compliant" },
      mergeBack: [{ target: "develop", doneAt: null }],
      postIncident: { number: 101, closedAt: "2026-11-24T09:00:00Z" },
    });
    expect(detail?.record.links.reminderIssue).toMatch(/\/issues\/10\d$/);
    expect(detail?.metrics.postMortem.status).toBe("on-time");
  }, 60_000);
});
