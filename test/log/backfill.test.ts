/**
 * `hotfix-guard backfill` against nock and an embedded store: it records the hotfixes merged in
 * the period with the audit command's verdicts, reads GitHub only, makes a pinned number of
 * requests per hotfix, and adds nothing when run again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readOnlyOctokit } from "../../src/cli/github-client.js";
import { HOTFIX_LOG_BACKFILL, runBackfillJob, scheduleBackfills, type BackfillJob } from "../../src/log/backfill-job.js";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { backfillCommand, type BackfillSummary } from "../../src/cli/backfill.js";
import { runCli } from "../../src/cli/cli.js";
import { HotfixLogStore } from "../../src/log/store.js";
import { openDatabase } from "../../src/store/database.js";
import { postIncidentMarker } from "../../src/render/post-incident.js";
import { GitHubMock } from "../helpers/app.js";
import { MERGE_SHA, OPENED_AT } from "../helpers/audit-builders.js";
import { mergedPullObject } from "../helpers/audit-fixtures.js";
import { AuditMock, branchRules, type RunShape } from "../helpers/audit-mocks.js";
import { COMPLETE_BODY, HEAD_SHA, NOW } from "../helpers/builders.js";
import { pullRequestObject, type PullRequestShape } from "../helpers/fixtures.js";
import { MAIN_BEFORE } from "../helpers/merge-back-fixtures.js";
import { MergeBackMock } from "../helpers/merge-back-mocks.js";
import { captureIo } from "../cli/cli-io.js";

const REPO = "/repos/acme/payments";
const HEAD_43 = "4".repeat(40);
const MERGE_43 = "3".repeat(40);
const CHECKS_PASSED: RunShape[] = [
  { name: "ci", conclusion: "success", completedAt: "2026-11-23T14:35:00Z" },
  { name: "Hotfix Guard", conclusion: "success", completedAt: "2026-11-23T14:41:00Z" },
];
/**
 * GitHub requests for these two hotfixes, pinned (6 per repository: repository, 2 config reads and, since the
 * repository has no configuration file, the repository again to tell "no file" from a failed read; the listing,
 * post-incident issues; the rest per hotfix, including, for a target that lacks the fix, the hotfix's files and
 * one compare for patch equivalence): a change here is a change in cost.
 */
const REQUESTS_FOR_TWO_HOTFIXES = 45;

const dataDir = mkdtempSync(join(tmpdir(), "hotfix-log-backfill-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function listed(shape: PullRequestShape & { number: number }, times: { created: string; merged: string | null; updated: string }): Record<string, unknown> {
  return { ...pullRequestObject(shape), state: "closed", html_url: `https://github.com/acme/payments/pull/${shape.number}`, created_at: times.created, merged_at: times.merged, closed_at: times.merged ?? times.updated, updated_at: times.updated };
}

/**
 * #42 (compliant, develop missing, post-incident open) and #43 (bypass, merged back, post-incident closed), #44
 * not a hotfix; `only` mocks one hotfix's own requests. `ruleSuites` false: the token carries no Administration
 * write (an installation token's permissions), so the audit never asks for GitHub's bypass record.
 */
function twoHotfixes(only?: 42 | 43, ruleSuites = true): GitHubMock {
  const github = new GitHubMock();
  const audit = new AuditMock(github);
  const mergeBack = new MergeBackMock(github);
  github.scope.get(REPO).reply(200, { full_name: "acme/payments", default_branch: "main" });
  github.config(null);
  github.scope
    .get(`${REPO}/pulls`)
    .query((query) => query.state === "closed" && query.base === "main")
    .reply(200, [
      listed({ number: 42 }, { created: OPENED_AT, merged: "2026-11-23T14:50:00Z", updated: "2026-11-23T14:55:00Z" }),
      listed({ number: 43, headRef: "hotfix/v1.4.4-round-totals", headSha: HEAD_43 }, { created: "2026-11-20T09:00:00Z", merged: "2026-11-20T10:00:00Z", updated: "2026-11-22T08:00:00Z" }),
      listed({ number: 44, headRef: "release/1.5", title: "Release 1.5" }, { created: "2026-11-09T09:00:00Z", merged: "2026-11-10T10:00:00Z", updated: "2026-11-10T10:00:00Z" }),
    ]);
  audit
    .seedIssue({ number: 101, title: "Post-incident review (hotfix #42)", body: `review\n${postIncidentMarker(42)}`, labels: ["hotfix:post-incident"] })
    .seedIssue({ number: 102, title: "Post-incident review (hotfix #43)", body: `review\n${postIncidentMarker(43)}`, labels: ["hotfix:post-incident"], state: "closed" })
    .listIssues("hotfix:post-incident");
  // The oldest hotfix first: #43.
  if (only !== 42) {
    const pr43 = mergedPullObject({ number: 43, headRef: "hotfix/v1.4.4-round-totals", headSha: HEAD_43, body: COMPLETE_BODY }, { mergedAt: "2026-11-20T10:00:00Z", mergeSha: MERGE_43, mergedBy: "dev-alice" });
    audit.pull({ ...pr43, created_at: "2026-11-20T09:00:00Z" }).listComments(43);
    github.reviews([], 43).files([{ filename: "src/payments/totals.ts" }], 43).tags(["v1.4.2", "v1.4.3"]);
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).listIssues("hotfix:protection-log");
    if (ruleSuites) audit.ruleSuites(403);
    audit.checkRuns(HEAD_43, [{ name: "ci", conclusion: "failure", completedAt: "2026-11-20T09:30:00Z" }]).statuses(HEAD_43, []);
    mergeBack.mergeCommit(MERGE_43, [MAIN_BEFORE, HEAD_43]).pullCommits(43, [{ sha: HEAD_43 }]).branches("release/", ["release/1.5"]).compare("main", "release/1.5", "ahead");
    mergeBack.compare("develop", HEAD_43, "behind").compare("release/1.5", HEAD_43, "identical");
    github.files([{ filename: "src/payments/totals.ts" }], 43);
    github.scope.get(`${REPO}/issues/102`).reply(200, { number: 102, created_at: "2026-11-20T10:01:00Z", closed_at: "2026-11-21T09:00:00Z" });
  }
  // Then #42.
  if (only !== 43) {
    audit.pull({ ...mergedPullObject(), html_url: "https://github.com/acme/payments/pull/42" }).listComments(42);
    github.reviews([{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA, submittedAt: "2026-11-23T14:40:00Z" }]);
    github.files([{ filename: "src/payments/charge.ts" }, { filename: "src/payments/charge.test.ts" }]).tags(["v1.4.2"]).permission("senior-bob", "write");
    audit.rules(branchRules(1, ["ci", "Hotfix Guard"])).protection(404).checkRuns(HEAD_SHA, CHECKS_PASSED).listIssues("hotfix:protection-log");
    if (ruleSuites) audit.ruleSuites(403);
    mergeBack.mergeCommit(MERGE_SHA, [MAIN_BEFORE, HEAD_SHA]).pullCommits(42, [{ sha: HEAD_SHA }]).branches("release/", []).compare("develop", HEAD_SHA, "diverged").closedPulls().commitsOf("develop");
    github.files([{ filename: "src/payments/charge.ts" }, { filename: "src/payments/charge.test.ts" }]);
  }
  return github;
}

async function backfill(args: string[]) {
  const captured = captureIo([...args, "--now", NOW.toISOString()], { env: { GITHUB_TOKEN: "ghp_test", DATA_DIR: dataDir } });
  const code = await backfillCommand(captured.io);
  return { code, ...captured };
}

async function readLog<T>(work: (store: HotfixLogStore) => Promise<T>): Promise<T> {
  const db = await openDatabase({ dataDir });
  try {
    return await work(new HotfixLogStore(db, () => NOW));
  } finally {
    await db.close();
  }
}

describe("backfill of the last 30 days", () => {
  it("records each merged hotfix with the audit's verdict, oldest first, reading GitHub only, with a pinned request count", async () => {
    const github = twoHotfixes();

    const { code, stdout, stderr } = await backfill(["acme/payments", "--since", "30d", "--json"]);

    expect(stderr.text).toBe("");
    expect(code).toBe(0);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.filter((request) => !request.startsWith("GET "))).toStrictEqual([]);
    const summary = JSON.parse(stdout.text) as BackfillSummary;
    expect(summary).toMatchObject({ repository: "acme/payments", hotfixes: 2, recorded: 2, failures: [], requests: REQUESTS_FOR_TWO_HOTFIXES, requestsPerHotfix: REQUESTS_FOR_TWO_HOTFIXES / 2 });
    expect(summary.requests).toBe(github.requests.length);

    const page = await readLog((store) => store.list({ repos: ["acme/payments"] }, { page: 1, perPage: 10 }));
    expect(page.records.map((record) => [record.id, record.pullRequest, record.audit?.verdict, record.source])).toStrictEqual([
      ["HOTFIX-002", 42, "compliant", "backfill"],
      ["HOTFIX-001", 43, "unjustified-bypass", "backfill"],
    ]);
    const [compliant, bypass] = page.records;
    expect(compliant).toMatchObject({ merger: "sre-admin", reviewers: ["senior-bob"], severity: "CRITICAL", filesAffected: ["src/payments/charge.ts", "src/payments/charge.test.ts"], mergeBack: [{ target: "develop", doneAt: null }], postIncident: { number: 101, closedAt: null } });
    expect(bypass).toMatchObject({ merger: "dev-alice", postIncident: { number: 102, openedAt: "2026-11-20T10:01:00Z", closedAt: "2026-11-21T09:00:00Z" } });
    expect(bypass?.mergeBack.map((target) => [target.target, target.timeKnown])).toStrictEqual([
      ["develop", false],
      ["release/1.5", false],
    ]);
    const detail = await readLog((store) => store.get("acme/payments", "HOTFIX-002"));
    expect(detail?.timeline.map((event) => event.kind)).toStrictEqual(["pr-opened", "review", "merged", "post-incident-opened"]);
  }, 60_000);

  it("adds nothing when run again over the same period", async () => {
    const before = await readLog(async (store) => ({ list: await store.list({ repos: ["acme/payments"] }, { page: 1, perPage: 10 }), detail: await store.get("acme/payments", "HOTFIX-001") }));
    twoHotfixes();

    const { code } = await backfill(["acme/payments", "--since", "30d"]);

    expect(code).toBe(0);
    const after = await readLog(async (store) => ({ list: await store.list({ repos: ["acme/payments"] }, { page: 1, perPage: 10 }), detail: await store.get("acme/payments", "HOTFIX-001") }));
    expect(after.list.total).toBe(2);
    expect(after.detail?.timeline).toStrictEqual(before.detail?.timeline);
  }, 60_000);

  it("refuses wrong usage before touching GitHub or the store", async () => {
    const captured = captureIo(["backfill", "acme/payments"], { env: { GITHUB_TOKEN: "ghp_test", DATA_DIR: dataDir } });
    expect(await runCli(captured.io.argv, captured.io)).toBe(2);
    expect(captured.stderr.text).toContain("--since is required");
  });
});

describe("the app's backfill job", () => {
  it("queues one first page per repository, once", async () => {
    const queued = new Map<string, unknown>();
    const scheduler = { schedule: async (_kind: string, key: string, payload: unknown) => !queued.has(key) && queued.set(key, payload) !== undefined };
    expect(await scheduleBackfills(scheduler, 1, ["acme/payments", "acme/web"], NOW)).toBe(2);
    expect(await scheduleBackfills(scheduler, 1, ["acme/payments"], NOW)).toBe(0);
    expect([...queued.values()][0]).toStrictEqual({ installationId: 1, repo: "acme/payments", since: "2026-05-27T00:00:00.000Z", cursor: null });
  });

  it("records a page, queues the next with its cursor, and redoes a page after a crash without recording twice", async () => {
    const jobDir = mkdtempSync(join(tmpdir(), "hotfix-log-job-"));
    const db = await openDatabase({ dataDir: jobDir });
    try {
      await (await import("../../src/store/migrations.js")).migrate(db);
      const store = new HotfixLogStore(db, () => NOW);
      const recorder = new HotfixRecorder(store, () => NOW, { warn: () => undefined }, "backfill");
      const scheduled: { key: string; payload: BackfillJob; runAt: Date }[] = [];
      const scheduler = {
        schedule: async (kind: string, key: string, payload: unknown, runAt: Date) => {
          expect(kind).toBe(HOTFIX_LOG_BACKFILL);
          if (scheduled.some((job) => job.key === key)) return false;
          scheduled.push({ key, payload: payload as BackfillJob, runAt });
          return true;
        },
      };
      const deps = { recorder, scheduler, identity: {}, now: () => NOW, ownLogin: async () => "hotfix-guard[bot]", pageSize: 1 };
      const octokit = readOnlyOctokit({ token: "ghs_test", notify: () => undefined });
      const first: BackfillJob = { installationId: 1, repo: "acme/payments", since: "2026-10-24T00:00:00.000Z", cursor: null };

      for (const attempt of [1, 2]) {
        const github = twoHotfixes(43, false);
        expect((await runBackfillJob(octokit, first, deps)).recorded, `attempt ${attempt}`).toStrictEqual([43]);
        expect(github.scope.pendingMocks()).toStrictEqual([]);
      }
      expect(scheduled.map((job) => job.payload.cursor)).toStrictEqual([{ mergedAt: "2026-11-20T10:00:00Z", number: 43 }]);

      const github = twoHotfixes(42, false);
      const last = await runBackfillJob(octokit, (scheduled[0] as { payload: BackfillJob }).payload, deps);
      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(last).toMatchObject({ recorded: [42], next: null });
      expect(scheduled).toHaveLength(1);
      const page = await store.list({ repos: ["acme/payments"] }, { page: 1, perPage: 10 });
      expect(page.records.map((record) => record.id)).toStrictEqual(["HOTFIX-002", "HOTFIX-001"]);
      expect((await store.get("acme/payments", "HOTFIX-001"))?.timeline.filter((event) => event.kind === "merged")).toHaveLength(1);
    } finally {
      await db.close();
      rmSync(jobDir, { recursive: true, force: true });
    }
  }, 120_000);
});
