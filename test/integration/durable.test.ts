/**
 * Durable processing end to end: signed deliveries over HTTP into the store, the worker running
 * them through the same handlers, GitHub served by nock, and time moved by hand. Runs on PGlite,
 * and on PostgreSQL when DATABASE_URL is set.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JOB_KINDS } from "../../src/server/durable-app.js";
import { Worker } from "../../src/server/worker.js";
import type { Database } from "../../src/store/database.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { BACKENDS, FakeClock, resetTables } from "../helpers/databases.js";
import { startDurableServer, type DurableServer } from "../helpers/durable.js";
import { pullRequestEvent, pullRequestObject } from "../helpers/fixtures.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const FILES = [{ filename: "src/pay.ts" }, { filename: "src/pay.test.ts" }];
const APPROVAL = [{ reviewer: "senior-bob", state: "APPROVED", commitId: HEAD_SHA }];

/** The reads of one evaluation of the compliant hotfix PR, ending with the check-run lookup. */
function evaluationReads(github: GitHubMock, withConfig = true): GitHubMock {
  if (withConfig) github.config(null);
  return github.pull(pullRequestObject()).files(FILES).reviews(APPROVAL).tags(["v1.4.2"]).permission("senior-bob", "write").listCheckRuns(HEAD_SHA);
}

describe.each(BACKENDS)("durable processing on $name", (backend) => {
  let db: Database;
  let clock: FakeClock;
  let server: DurableServer;

  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(() => backend.dispose(db));
  beforeEach(async () => {
    await resetTables(db);
    clock = new FakeClock(T0);
    server = await startDurableServer(db, clock);
  });
  afterEach(() => server.stop());

  it("refuses a delivery with a bad or missing signature with 401 and stores nothing", async () => {
    const event = pullRequestEvent("opened");
    const forged = await server.deliver(event, "not-the-secret");
    const unsigned = await server.deliver({ ...event, id: "unsigned" }, null);

    expect([forged.status, unsigned.status]).toStrictEqual([401, 401]);
    expect(await server.queue.stats(clock.now())).toMatchObject({ pending: 0, running: 0, done: 0, failed: 0 });
    expect(await server.metrics.value("hotfix_guard_deliveries_rejected_total", { status: "401" })).toBe(2);
  });

  it("answers 202 once stored, then runs the handlers from the queue: one check run", async () => {
    const github = evaluationReads(new GitHubMock().token()).createCheckRun();

    const response = await server.deliver(pullRequestEvent("opened"));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "queued" });
    expect(github.writes).toStrictEqual([]);

    expect(await server.runtime.worker.drain()).toBe(1);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard", conclusion: "success" });
  });

  it("processes one delivery id sent three times, also at once, exactly once", async () => {
    const github = evaluationReads(new GitHubMock().token()).createCheckRun();
    const event = pullRequestEvent("opened");

    const responses = await Promise.all([server.deliver(event), server.deliver(event), server.deliver(event)]);
    const statuses = await Promise.all(responses.map(async (r) => ((await r.json()) as { status: string }).status));
    await server.runtime.worker.drain();

    expect(statuses.sort()).toStrictEqual(["duplicate", "duplicate", "queued"]);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
  });

  it("finishes a job whose worker died mid-job once its lease runs out", async () => {
    const event = pullRequestEvent("opened");
    await server.deliver(event);
    const [taken] = await server.queue.claim("worker-that-died", 1, clock.now(), 120_000);
    expect(taken?.key).toBe(event.id);
    expect(await server.runtime.worker.drain()).toBe(0);

    const github = evaluationReads(new GitHubMock().token()).createCheckRun();
    clock.advance(120_001);
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.find(event.id)).toMatchObject({ status: "done", attempts: 2 });
  });

  it("retries after a 5xx from GitHub with backoff, then completes, writing once", async () => {
    // After the 502 the app looks for the run once more (the create may have happened) before failing the job.
    const github = evaluationReads(new GitHubMock().token()).createCheckRun(1, 502).listCheckRuns(HEAD_SHA);
    const event = pullRequestEvent("opened");
    await server.deliver(event);

    await server.runtime.worker.drain();
    expect(await server.queue.find(event.id)).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringContaining("HTTP 502") });
    expect(await server.runtime.worker.drain()).toBe(0);

    evaluationReads(github, false).createCheckRun();
    clock.advance(5_000);
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.find(event.id)).toMatchObject({ status: "done" });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { outcome: "retried" })).toBe(1);
  });

  it("backs off a secondary rate limit for as long as GitHub asks, and never drops the delivery", async () => {
    const github = evaluationReads(new GitHubMock().token());
    github.scope.post("/repos/acme/payments/check-runs").reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "90" });
    const event = pullRequestEvent("opened");
    await server.deliver(event);

    await server.runtime.worker.drain();
    clock.advance(89_000);
    expect(await server.runtime.worker.drain()).toBe(0);

    evaluationReads(github, false).createCheckRun();
    clock.advance(1_000);
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.find(event.id)).toMatchObject({ status: "done", attempts: 2 });
  });

  it("runs a timed pull request re-check only once the clock reaches it", async () => {
    const scheduler = server.runtime.services.scheduler;
    const ref = { installationId: 1, repo: { owner: "acme", repo: "payments" }, fullName: "acme/payments", defaultBranch: "main", number: 42, baseRef: "main", headSha: HEAD_SHA };
    await scheduler?.schedule(JOB_KINDS.pullRequestRecheck, "recheck:acme/payments#42", ref, new Date(T0.getTime() + 2 * 3_600_000));

    expect(await server.runtime.worker.drain()).toBe(0);
    const github = evaluationReads(new GitHubMock().token()).createCheckRun();
    clock.advance(2 * 3_600_000);
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
  });

  it("updates the check when the review wait runs out, from a job the evaluation scheduled", async () => {
    const unreviewed = (github: GitHubMock, withConfig: boolean) => {
      if (withConfig) github.config(null);
      return github.pull(pullRequestObject()).files(FILES).reviews([]).tags(["v1.4.2"]).reviewRequests(["2026-11-23T14:30:00Z"]).listCheckRuns(HEAD_SHA);
    };
    const github = unreviewed(new GitHubMock().token(), true).createCheckRun();
    await server.deliver(pullRequestEvent("opened"));
    await server.runtime.worker.drain();
    expect(github.lastWrite().output.summary).toContain("an emergency bypass becomes permitted");

    clock.advance(90 * 60_000 - 1);
    expect(await server.runtime.worker.drain()).toBe(0);
    const [first] = github.writes;
    unreviewed(github, false).updateCheckRun(first?.body.id ?? 0);
    clock.advance(1);
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes.map((w) => w.method)).toStrictEqual(["POST", "PATCH"]);
    expect(github.lastWrite().output.summary).toContain("an emergency bypass is now permitted");
  });

  it("redelivers only the failed deliveries the store has not seen", async () => {
    await server.deliver({ id: "stored-but-failed-at-github", name: "ping", payload: { zen: "x" } });
    await server.runtime.worker.drain();
    const at = (minutesAgo: number) => new Date(T0.getTime() - minutesAgo * 60_000).toISOString();
    const github = new GitHubMock();
    github.scope.get("/app/hook/deliveries").query(true).reply(200, [
      { id: 11, guid: "lost-while-down", delivered_at: at(10), status_code: 502, event: "pull_request" },
      { id: 12, guid: "stored-but-failed-at-github", delivered_at: at(20), status_code: 504, event: "ping" },
      { id: 13, guid: "delivered", delivered_at: at(30), status_code: 202, event: "pull_request" },
      { id: 14, guid: "failed-then-redelivered", delivered_at: at(40), status_code: 202, event: "push" },
      { id: 15, guid: "failed-then-redelivered", delivered_at: at(50), status_code: 500, event: "push" },
      { id: 16, guid: "lost-long-ago", delivered_at: at(5 * 24 * 60), status_code: 500, event: "push" },
    ]);
    const redelivery = github.scope.post("/app/hook/deliveries/11/attempts").reply(202, {});

    await server.queue.schedule(JOB_KINDS.recovery, "recovery@test", {}, clock.now(), clock.now());
    await server.runtime.worker.drain();

    expect(redelivery.isDone()).toBe(true);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
  });

  it("reports readiness and Prometheus metrics", async () => {
    await server.deliver({ id: "metrics-1", name: "ping", payload: { zen: "x" } });
    const ready = await fetch(`${server.url}/readyz`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const health = await fetch(`${server.url}/healthz`);

    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
    expect(health.status).toBe(200);
    expect(metrics).toContain('hotfix_guard_deliveries_received_total{event="ping",result="queued"} 1');
    expect(metrics).toContain('hotfix_guard_queue_jobs{status="pending"} 1');
  });

  it("lets two workers drain one queue without running any job twice", async () => {
    const runs = new Map<string, number>();
    const count = async (_payload: unknown, job: { key: string }) => {
      runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const second = new Worker({ queue: server.queue, probot: {} as never, metrics: server.metrics, log: { error: () => undefined, warn: () => undefined } as never, now: clock.now });
    server.runtime.worker.handle("count", count);
    second.handle("count", count);
    await Promise.all(Array.from({ length: 30 }, (_, i) => server.queue.schedule("count", `count-${i}`, {}, clock.now(), clock.now())));

    const [a, b] = await Promise.all([server.runtime.worker.drain(), second.drain()]);

    expect(a + b).toBe(30);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(30);
  });
});
