/**
 * `npm run bench`: Hotfix Guard's durable server on loopback, GitHub served by a local mock, signed
 * deliveries over HTTP. Measures, in one run:
 * - ingress: acknowledgement latency (p50/p99, sequential) and throughput (concurrent) of the
 *   store-first ingress, against a no-op Probot app on the same machine as the baseline;
 * - end to end: hotfix PRs opened then approved, until the last check run is written;
 * - GitHub requests per event type, and peak RSS.
 * Prints JSON, then a short table. Nothing here is asserted: machines are noisy, read the ratios.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { sign } from "@octokit/webhooks-methods";
import { Probot, Server } from "probot";
import { serviceOctokit } from "../src/github/octokit.js";
import { createDurableApp, type DurableRuntime } from "../src/server/durable-app.js";
import { PROBOT_WEBHOOK_PATH } from "../src/server/ingress.js";
import { Metrics } from "../src/server/metrics.js";
import { openDatabase } from "../src/store/database.js";
import { JobQueue } from "../src/store/jobs.js";
import { migrate } from "../src/store/migrations.js";
import { freePort, SILENT_LOG, TEST_PROBOT_OPTIONS } from "../test/helpers/app.js";
import { pullRequestEvent, pullRequestObject, reviewEvent } from "../test/helpers/fixtures.js";

const SECRET = "bench-secret";
const INGRESS_REQUESTS = Number(process.env.BENCH_INGRESS ?? 400);
const CONCURRENCY = 16;
const PULL_REQUESTS = Number(process.env.BENCH_PRS ?? 60);
const INSTALLATIONS = 20;

type Delivery = { id: string; name: string; payload: Record<string, unknown> };

/** Each pull request's head commit, distinct per number. */
function headShaOf(number: number): string {
  return number.toString(16).padStart(40, "0");
}

// ── The mock GitHub ────────────────────────────────────────────────────────────────────────────

/** A stateful stand-in for api.github.com: enough of it for the pre-merge evaluation. */
class MockGitHub {
  readonly requests = new Map<string, number>();
  private readonly approved = new Set<string>();
  private readonly runs = new Map<string, { id: number; summary: string }>();
  private nextId = 1;
  writes = 0;
  private server: HttpServer | undefined;

  approve(repo: string, number: number): void {
    this.approved.add(`${repo}#${number}`);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, any>) : {};
    const url = new URL(req.url ?? "/", "http://mock");
    const route = `${req.method} ${url.pathname.replace(/\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}").replace(/[0-9a-f]{40}/g, "{sha}").replace(/\/\d+(?=\/|$)/g, "/{n}").replace(/collaborators\/[^/]+/, "collaborators/{u}").replace(/installations\/\{n\}/, "installations/{id}")}`;
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
    const [status, json] = this.answer(req.method ?? "GET", url, body);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  }

  private answer(method: string, url: URL, body: Record<string, any>): [number, unknown] {
    const path = url.pathname;
    const repo = /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1] ?? "";
    const number = Number(/\/(?:pulls|issues)\/(\d+)/.exec(path)?.[1] ?? 0);
    if (method === "POST" && path.startsWith("/app/installations/")) return [201, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" }];
    if (path.includes("/contents/")) return [404, { message: "Not Found" }];
    if (/\/pulls\/\d+$/.test(path)) return [200, pullRequestObject({ number, headSha: headShaOf(number) })];
    if (path.endsWith("/files")) return [200, [{ filename: "src/pay.ts", status: "modified", additions: 3, deletions: 1 }, { filename: "src/pay.test.ts", status: "added", additions: 9, deletions: 0 }]];
    if (path.endsWith("/reviews")) {
      return [200, this.approved.has(`${repo}#${number}`) ? [{ id: 1, user: { login: "senior-bob" }, state: "APPROVED", commit_id: headShaOf(number), submitted_at: "2026-11-23T14:00:00Z" }] : []];
    }
    if (path.endsWith("/events")) return [200, []];
    if (path.includes("/git/matching-refs/")) return [200, [{ ref: "refs/tags/v1.4.2" }]];
    if (path.includes("/collaborators/")) return [200, { permission: "write", role_name: "write" }];
    if (method === "GET" && path.endsWith("/check-runs")) {
      const run = this.runs.get(`${repo}@${path.split("/")[5]}`);
      return [200, { total_count: run ? 1 : 0, check_runs: run ? [{ id: run.id, conclusion: "x", output: { summary: run.summary }, app: { id: 1 } }] : [] }];
    }
    if (method === "POST" && path.endsWith("/check-runs")) {
      const id = this.nextId++;
      this.runs.set(`${repo}@${body.head_sha as string}`, { id, summary: body.output?.summary as string });
      this.writes += 1;
      return [201, { id, app: { id: 1 } }];
    }
    if (method === "PATCH" && path.includes("/check-runs/")) {
      for (const run of this.runs.values()) if (path.endsWith(`/${run.id}`)) run.summary = body.output?.summary as string;
      this.writes += 1;
      return [200, {}];
    }
    return [404, { message: "Not Found (bench mock)" }];
  }
}

// ── Servers under test ─────────────────────────────────────────────────────────────────────────

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

async function startHotfixGuard(githubUrl: string, dataDir: string, throttled = true): Promise<Target & { runtime: DurableRuntime }> {
  const db = await openDatabase({ dataDir });
  await migrate(db);
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue);
  let runtime: DurableRuntime | undefined;
  const { Octokit: unthrottled, ...probotOptions } = TEST_PROBOT_OPTIONS;
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({ ...probotOptions, Octokit: throttled ? serviceOctokit(metrics) : unthrottled, appId: 1, secret: SECRET, baseUrl: githubUrl, log: SILENT_LOG }),
    port,
    host: "127.0.0.1",
    webhookPath: PROBOT_WEBHOOK_PATH,
    log: SILENT_LOG,
  });
  await server.load(createDurableApp({ db, queue, metrics, webhookPath: "/api/github/webhooks", secret: SECRET, appId: 1, startWorker: false, worker: { concurrency: 8 } }, (ready) => (runtime = ready)));
  await server.start();
  if (!runtime) throw new Error("Hotfix Guard did not start");
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function startNoopProbot(): Promise<Target> {
  const port = await freePort();
  const server = new Server({ Probot: Probot.defaults({ ...TEST_PROBOT_OPTIONS, secret: SECRET, log: SILENT_LOG }), port, host: "127.0.0.1", log: SILENT_LOG });
  await server.load((app) => app.onAny(async () => undefined));
  await server.start();
  return { url: `http://127.0.0.1:${port}`, stop: () => server.stop() };
}

// ── Deliveries and measurement ─────────────────────────────────────────────────────────────────

function forRepo(delivery: Delivery, index: number): Delivery {
  const installation = (index % INSTALLATIONS) + 1;
  const repo = `repo-${installation}`;
  const payload = structuredClone(delivery.payload) as Record<string, any>;
  payload.repository = { ...payload.repository, name: repo, full_name: `acme/${repo}` };
  payload.installation = { id: installation };
  return { ...delivery, id: `${delivery.id}-${index}`, payload };
}

function realisticDeliveries(count: number): Delivery[] {
  const merged = pullRequestEvent("closed");
  merged.payload.pull_request = { ...merged.payload.pull_request, state: "closed", merged: true, merged_at: "2026-11-23T15:00:00Z" };
  const kinds: Delivery[] = [pullRequestEvent("opened"), reviewEvent("submitted", { reviewer: "senior-bob", state: "approved" }), merged];
  return Array.from({ length: count }, (_, i) => forRepo(kinds[i % kinds.length] as Delivery, i));
}

async function post(target: Pick<Target, "url">, delivery: Delivery): Promise<number> {
  const body = JSON.stringify(delivery.payload);
  const started = process.hrtime.bigint();
  const response = await fetch(`${target.url}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": delivery.name, "x-github-delivery": delivery.id, "x-hub-signature-256": await sign(SECRET, body) },
    body,
  });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`${target.url} answered ${response.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measureIngress(target: Target, deliveries: readonly Delivery[]): Promise<{ p50: number; p99: number; perSecond: number }> {
  for (const delivery of deliveries.slice(0, 20)) await post(target, { ...delivery, id: `warmup-${delivery.id}` });
  const latencies: number[] = [];
  for (const delivery of deliveries) latencies.push(await post(target, delivery));
  latencies.sort((a, b) => a - b);
  const concurrent = deliveries.map((d) => ({ ...d, id: `c-${d.id}` }));
  const started = performance.now();
  for (let i = 0; i < concurrent.length; i += CONCURRENCY) await Promise.all(concurrent.slice(i, i + CONCURRENCY).map((d) => post(target, d)));
  const seconds = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: concurrent.length / seconds };
}

function requestsSince(github: MockGitHub, before: Map<string, number>, events: number): Record<string, number> {
  const perEvent: Record<string, number> = {};
  for (const [route, count] of github.requests) {
    const delta = count - (before.get(route) ?? 0);
    if (delta > 0) perEvent[route] = Math.round((delta / events) * 100) / 100;
  }
  return perEvent;
}

async function waitForWrites(github: MockGitHub, runtime: DurableRuntime, writes: number): Promise<void> {
  while (github.writes < writes) {
    if ((await runtime.worker.drain()) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function measureEndToEnd(target: { url: string; runtime: DurableRuntime }, github: MockGitHub, firstNumber: number) {
  const numberOf = (i: number) => firstNumber + i;
  const opened = Array.from({ length: PULL_REQUESTS }, (_, i) => forRepo({ ...pullRequestEvent("opened", { number: numberOf(i), headSha: headShaOf(numberOf(i)) }) }, i));
  const reviews = Array.from({ length: PULL_REQUESTS }, (_, i) =>
    forRepo({ ...reviewEvent("submitted", { reviewer: "senior-bob", state: "approved", commitId: headShaOf(numberOf(i)) }, { number: numberOf(i), headSha: headShaOf(numberOf(i)) }) }, i),
  );
  const writesBefore = github.writes;
  const beforeOpened = new Map(github.requests);
  const started = performance.now();
  await Promise.all(opened.map((d) => post(target, d)));
  await waitForWrites(github, target.runtime, writesBefore + PULL_REQUESTS);
  const openedRequests = requestsSince(github, beforeOpened, PULL_REQUESTS);
  const afterOpened = new Map(github.requests);
  reviews.forEach((_delivery, i) => github.approve(`acme/repo-${(i % INSTALLATIONS) + 1}`, numberOf(i)));
  await Promise.all(reviews.map((d) => post(target, d)));
  await waitForWrites(github, target.runtime, writesBefore + 2 * PULL_REQUESTS);
  const seconds = (performance.now() - started) / 1000;
  return {
    events: 2 * PULL_REQUESTS,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(((2 * PULL_REQUESTS) / seconds) * 10) / 10,
    requestsPerEvent: {
      "pull_request.opened (cold caches, verdict: missing approval)": openedRequests,
      "pull_request_review.submitted (verdict changes to success)": requestsSince(github, afterOpened, PULL_REQUESTS),
    },
  };
}

// ── Main ───────────────────────────────────────────────────────────────────────────────────────

const github = new MockGitHub();
const githubUrl = await github.start();
const dataDir = mkdtempSync(join(tmpdir(), "hotfix-guard-bench-"));
const forIngress = await startHotfixGuard(githubUrl, join(dataDir, "ingress"));
const forEndToEnd = await startHotfixGuard(githubUrl, join(dataDir, "end-to-end"));
const withoutThrottling = await startHotfixGuard(githubUrl, join(dataDir, "unthrottled"), false);
const noop = await startNoopProbot();
const deliveries = realisticDeliveries(INGRESS_REQUESTS);

const baseline = await measureIngress(noop, deliveries);
const ingress = await measureIngress(forIngress, deliveries);
const endToEnd = await measureEndToEnd(forEndToEnd, github, 1000);
const unthrottledEndToEnd = await measureEndToEnd(withoutThrottling, github, 5000);
await Promise.all([forIngress.stop(), forEndToEnd.stop(), withoutThrottling.stop(), noop.stop(), github.stop()]);
rmSync(dataDir, { recursive: true, force: true });

const round = (n: number) => Math.round(n * 100) / 100;
const result = {
  node: process.version,
  ingress: {
    deliveries: INGRESS_REQUESTS,
    hotfixGuard: { p50Ms: round(ingress.p50), p99Ms: round(ingress.p99), perSecond: round(ingress.perSecond) },
    noopProbot: { p50Ms: round(baseline.p50), p99Ms: round(baseline.p99), perSecond: round(baseline.perSecond) },
    ratioToNoop: { p50: round(ingress.p50 / baseline.p50), p99: round(ingress.p99 / baseline.p99), throughput: round(ingress.perSecond / baseline.perSecond) },
  },
  endToEnd,
  endToEndWithoutThrottling: { seconds: unthrottledEndToEnd.seconds, eventsPerSecond: unthrottledEndToEnd.eventsPerSecond },
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(result, null, 2));
console.log(`
| measure | Hotfix Guard | no-op Probot | ratio |
|---|---|---|---|
| ack latency p50 (ms) | ${result.ingress.hotfixGuard.p50Ms} | ${result.ingress.noopProbot.p50Ms} | ${result.ingress.ratioToNoop.p50} |
| ack latency p99 (ms) | ${result.ingress.hotfixGuard.p99Ms} | ${result.ingress.noopProbot.p99Ms} | ${result.ingress.ratioToNoop.p99} |
| ingress throughput (deliveries/s, ${CONCURRENCY} at once) | ${result.ingress.hotfixGuard.perSecond} | ${result.ingress.noopProbot.perSecond} | ${result.ingress.ratioToNoop.throughput} |
| end to end, ${2 * PULL_REQUESTS} events over ${INSTALLATIONS} installations (events/s until the last check run) | ${endToEnd.eventsPerSecond} | | |
| same without Probot's 1-write-per-second throttling (the app's own cost) | ${unthrottledEndToEnd.eventsPerSecond} | | |
| peak RSS (MB: bench process with the mock, a no-op Probot and three instances each with its own PGlite) | ${result.peakRssMb} | | |`);
process.exit(0);
