/**
 * Durable processing end to end: signed deliveries over HTTP into the store, the worker running
 * them through the same handlers, GitHub served by nock, and time moved by hand. Runs on PGlite,
 * and on PostgreSQL when DATABASE_URL is set.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { JOB_KINDS, MAX_REVIVALS } from "../../src/server/durable-app.js";
import { Worker } from "../../src/server/worker.js";
import type { Database } from "../../src/store/database.js";
import { DELIVERY_ATTEMPTS } from "../../src/store/jobs.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { GitHubMock } from "../helpers/app.js";
import { BACKENDS, FakeClock } from "../helpers/databases.js";
import { durableServerPerTest, recordingLogger, startDurableServer, type DurableServer } from "../helpers/durable.js";
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
  const bed = durableServerPerTest(backend, T0);
  let db: Database;
  let clock: FakeClock;
  let server: DurableServer;
  beforeEach(() => ({ db, clock, server } = bed));

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
    const [taken] = await server.queue.claim("worker-that-died", 1, clock.now(), 30_000);
    expect(taken?.key).toBe(event.id);
    expect(await server.runtime.worker.drain()).toBe(0);

    const github = evaluationReads(new GitHubMock().token()).createCheckRun();
    clock.advance(30_001);
    expect(await server.runtime.worker.drain()).toBe(1);

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.findDelivery(event.id)).toMatchObject({ status: "done", attempts: 2 });
  });

  it("retries after a 5xx from GitHub with backoff, then completes, writing once", async () => {
    // After the 502 the app looks for the run once more (the create may have happened) before failing the job.
    const github = evaluationReads(new GitHubMock().token()).createCheckRun(1, 502).listCheckRuns(HEAD_SHA);
    const event = pullRequestEvent("opened");
    await server.deliver(event);

    await server.runtime.worker.drain();
    expect(await server.queue.findDelivery(event.id)).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringContaining("HTTP 502") });
    expect(await server.runtime.worker.drain()).toBe(0);

    evaluationReads(github, false).createCheckRun();
    clock.advance(5_000);
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.findDelivery(event.id)).toMatchObject({ status: "done" });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { outcome: "retried" })).toBe(1);
  });

  it("waits out rate limits that outlast the job's attempts without spending them, then completes", async () => {
    const github = evaluationReads(new GitHubMock().token());
    const event = pullRequestEvent("opened");
    await server.deliver(event);
    const limits = DELIVERY_ATTEMPTS + 2;
    for (let limit = 0; limit < limits; limit += 1) {
      if (limit > 0) evaluationReads(github, false);
      const post = github.scope.post("/repos/acme/payments/check-runs");
      if (limit % 3 === 0) post.reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "90" });
      else if (limit % 3 === 1) post.reply(429, { message: "Too Many Requests" }, { "retry-after": "90" });
      else post.reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(clock.now().getTime() / 1000) + 89) });
      expect(await server.runtime.worker.drain()).toBe(1);
      clock.advance(89_000);
      expect(await server.runtime.worker.drain()).toBe(0);
      clock.advance(1_000);
    }
    evaluationReads(github, false).createCheckRun();
    await server.runtime.worker.drain();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toHaveLength(1);
    expect(await server.queue.findDelivery(event.id)).toMatchObject({ status: "done", attempts: 1 });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { outcome: "rate_limited" })).toBe(limits);
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { outcome: "failed" })).toBe(0);
  });

  it("marks a delivery that can never be processed failed at once, with the reason", async () => {
    const event = pullRequestEvent("opened");
    const { installation: _installation, ...orphan } = event.payload as Record<string, unknown>;
    await server.deliver({ ...event, payload: orphan });
    await server.deliver({ id: "not-an-object", name: "push", payload: [1, 2, 3] });
    await server.runtime.worker.drain();

    expect(await server.queue.findDelivery(event.id)).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringContaining("no installation") });
    expect(await server.queue.findDelivery("not-an-object")).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringContaining("not a JSON object") });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { outcome: "unprocessable" })).toBe(2);
  });

  it("never takes a delivery for a timed job that happens to share its key", async () => {
    await server.runtime.scheduleMaintenance();
    const period = Math.floor(T0.getTime() / (6 * 60 * 60_000)) + 1;
    const response = await server.deliver({ id: `prune@${period}`, name: "ping", payload: { zen: "x" } });

    expect(await response.json()).toMatchObject({ status: "queued" });
    expect(await server.queue.find(JOB_KINDS.prune, `prune@${period}`)).toMatchObject({ status: "pending" });
    expect(await server.queue.findDelivery(`prune@${period}`)).toMatchObject({ status: "pending" });
  });

  it("logs a failed delivery attempt with its id, event, attempt and reason, never its payload", async () => {
    const log = await recordingLogger();
    await server.stop();
    server = await startDurableServer(db, clock, log);
    const github = new GitHubMock().token();
    github.scope.get(/\/contents\//).reply(500, { message: "Server Error" });
    const event = pullRequestEvent("opened", { body: "PAYLOAD-MARKER that must never reach the log" });
    await server.deliver(event);
    await server.runtime.worker.drain();

    const failures = log.lines.filter((line) => line.msg === "job failed; will retry");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.fields).toMatchObject({ delivery: event.id, event: "pull_request", attempt: 1, reason: expect.stringContaining("HTTP 500") });
    expect(log.lines.filter((line) => line.json.includes("PAYLOAD-MARKER"))).toStrictEqual([]);
  });

  it("counts and logs a job that used its attempts, and retries it at a later recovery pass, a bounded number of times", async () => {
    const log = await recordingLogger();
    await server.stop();
    server = await startDurableServer(db, clock, log);
    let runs = 0;
    server.runtime.worker.handle("flaky", async () => {
      runs += 1;
      if (runs <= 2 || runs > 3) throw new Error(`GitHub unreachable (run ${runs})`);
    });
    await server.queue.schedule("flaky", "flaky-1", {}, clock.now(), clock.now(), 2);
    await server.runtime.worker.drain();
    clock.advance(5_000);
    await server.runtime.worker.drain();

    expect(await server.queue.find("flaky", "flaky-1")).toMatchObject({ status: "failed", lastError: "GitHub unreachable (run 2)" });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { kind: "flaky", outcome: "failed" })).toBe(1);
    expect(log.lines.filter((line) => line.level === "error" && line.fields.job === "flaky-1").map((line) => line.fields.reason)).toStrictEqual(["GitHub unreachable (run 2)"]);

    const recovery = async () => {
      new GitHubMock().scope.get("/app/hook/deliveries").query(true).reply(200, []);
      clock.advance(60 * 60_000);
      await server.runtime.scheduleMaintenance();
      await server.runtime.worker.drain();
    };
    await recovery();
    expect(await server.queue.find("flaky", "flaky-1")).toMatchObject({ status: "done", revivals: 1 });

    await server.queue.schedule("flaky", "flaky-2", {}, clock.now(), clock.now(), 1);
    for (let pass = 0; pass <= MAX_REVIVALS; pass += 1) {
      await server.runtime.worker.drain();
      await recovery();
    }
    expect(await server.queue.find("flaky", "flaky-2")).toMatchObject({ status: "failed", revivals: MAX_REVIVALS });
  });

  it("runs delivery recovery at every start, also inside a period that already had a pass", async () => {
    const github = new GitHubMock();
    const deliveries = github.scope.get("/app/hook/deliveries").query(true).times(2).reply(200, []);
    await server.runtime.scheduleMaintenance();
    await server.runtime.worker.drain();

    clock.advance(10 * 60_000);
    await server.stop();
    server = await startDurableServer(db, clock);
    await server.runtime.scheduleMaintenance();
    await server.runtime.worker.drain();

    expect(deliveries.isDone()).toBe(true);
    expect(github.scope.pendingMocks()).toStrictEqual([]);
  });

  it("runs one recovery pass when two replicas start together", async () => {
    const github = new GitHubMock();
    github.scope.get("/app/hook/deliveries").query(true).reply(200, []);
    const replica = await startDurableServer(db, clock);
    try {
      await Promise.all([server.runtime.scheduleMaintenance(), replica.runtime.scheduleMaintenance()]);
      await Promise.all([server.runtime.worker.drain(), replica.runtime.worker.drain()]);

      expect(github.scope.pendingMocks()).toStrictEqual([]);
      expect(github.requests).toStrictEqual(["GET /app/hook/deliveries"]);
      expect(await server.queue.stats(clock.now())).toMatchObject({ failed: 0, running: 0 });
    } finally {
      await replica.stop();
    }
  });

  it("renews the lease of a running job, and a worker that lost it never settles the job", async () => {
    const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined } as never;
    const first = new Worker({ queue: server.queue, probot: {} as never, metrics: server.metrics, log: quiet, now: clock.now, leaseMs: 30_000 });
    const second = new Worker({ queue: server.queue, probot: {} as never, metrics: server.metrics, log: quiet, now: clock.now, leaseMs: 30_000 });
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    first.handle("slow", () => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    let secondRuns = 0;
    second.handle("slow", async () => {
      secondRuns += 1;
    });
    await server.queue.schedule("slow", "slow-1", {}, clock.now(), clock.now());
    const firstDrain = first.drain();
    await running;

    clock.advance(25_000);
    await first.renewLeases();
    clock.advance(25_000);
    expect(await second.drain()).toBe(0);

    clock.advance(30_001);
    expect(await second.drain()).toBe(1);
    await first.renewLeases();
    release();
    await firstDrain;

    expect(secondRuns).toBe(1);
    expect(await server.queue.find("slow", "slow-1")).toMatchObject({ status: "done", attempts: 2 });
    expect(await server.metrics.value("hotfix_guard_jobs_processed_total", { kind: "slow", outcome: "done" })).toBe(1);
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
