/**
 * `npm run bench`: Hotfix Guard measured from outside against a no-op Probot app, each system in
 * its own process started as production starts it (`node lib/main.js`, built first when stale),
 * GitHub served by a mock in another process and the load sent by a third (autocannon). Systems:
 * the no-op Probot app, Hotfix Guard on a fresh and on an existing PGlite data directory, and on
 * PostgreSQL (a scratch database, created and dropped). They take turns over BENCH_ROUNDS rounds,
 * in a rotated order, and each figure is reported as the median with its spread and the load
 * average at each measurement:
 * - start-up: spawn to the first 200 of `/readyz` (the no-op: `/ping`);
 * - ingress: 24 KB signed deliveries, sequential p50/p99 acknowledgement latency, then 16
 *   connections for BENCH_INGRESS_SECONDS: acknowledgements per second (and the ratio to the
 *   no-op in the same round), p99; then the time the worker (running as in production) needs to
 *   drain the queue;
 * - memory: RSS every 100 ms from spawn: peak during start-up, at rest, peak overall; and after
 *   BENCH_DELIVERIES deliveries processed (peak, final);
 * - end to end: BENCH_E2E_PRS hotfix pull requests opened across as many installations, GitHub
 *   answering at once and after 50 ms: first delivery to the last check run written, and GitHub
 *   requests per event.
 * Writes JSON to bench/results/ and prints a table beside the baselines and issue 11's targets.
 * Nothing here is asserted: machines are noisy, read the ratios and the load averages.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { hotfixOpened, postDelivery } from "./deliveries.js";
import type { LoadResult } from "./load.js";
import type { MockStats } from "./mock-github.js";
import { appEnvironment, cpuMs, productionNodeFlags, ROOT, runLoad, startHelper, startSystem, waitForDrain, type RunningSystem, type SystemCommand } from "./processes.js";
import { describe, figure, summarise, type Sample, type Summary } from "./summary.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INGRESS_SECONDS = Number(process.env.BENCH_INGRESS_SECONDS ?? 5);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 200);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const E2E_PRS = Number(process.env.BENCH_E2E_PRS ?? 100);
const DRAIN_TIMEOUT_S = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 120);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CONNECTIONS = 16;
const SECRET = randomBytes(16).toString("hex");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

type SystemName = "no-op Probot" | "PGlite, fresh" | "PGlite, existing" | "PostgreSQL";
const load1 = () => loadavg()[0] as number;
const sample = (value: number): Sample => ({ value, load: load1() });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── Set-up ─────────────────────────────────────────────────────────────────────────────────────

const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-if-stale.mjs")], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const mock = await startHelper<{ url: string }>("mock-github.ts", []);
const githubUrl = mock.value.url;
async function mockControl(latencyMs?: number): Promise<MockStats> {
  const response = await fetch(`${githubUrl}/_bench/${latencyMs === undefined ? "stats" : "reset"}`, { method: "POST", body: JSON.stringify({ latencyMs }) });
  return (await response.json()) as MockStats;
}

const scratch = mkdtempSync(join(tmpdir(), "hotfix-guard-bench-"));
const existingDir = join(scratch, "existing");
const database = `hotfix_guard_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
const postgresUrl = await admin
  .connect()
  .then(async () => {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    return url.toString();
  })
  .catch((error: Error) => {
    console.error(`PostgreSQL at ${ADMIN_URL} is not available (${error.message}): its figures are left out.`);
    return null;
  });

const hotfixGuardEnv = appEnvironment(privateKey, SECRET, githubUrl);

function command(system: SystemName): SystemCommand {
  if (system === "no-op Probot") {
    return { args: [join(ROOT, "bench", "noop-app.mjs")], env: { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: hotfixGuardEnv.GHE_HOST, GHE_PROTOCOL: "http" }, readyPath: "/ping", webhookPath: "/api/github/webhooks" };
  }
  const store: Record<string, string> = system === "PostgreSQL" ? { DATABASE_URL: postgresUrl as string } : { DATA_DIR: system === "PGlite, fresh" ? mkdtempSync(join(scratch, "fresh-")) : existingDir };
  return { args: [...productionNodeFlags(), join(ROOT, "lib", "main.js")], env: { ...hotfixGuardEnv, ...store }, readyPath: "/readyz", webhookPath: "/api/github/webhooks" };
}

const systems: SystemName[] = ["no-op Probot", "PGlite, fresh", "PGlite, existing", ...(postgresUrl ? (["PostgreSQL"] as const) : [])];
const only = process.env.BENCH_SYSTEMS?.split(",").map((name) => name.trim().toLowerCase());
const measured = systems.filter((system) => !only || only.some((name) => system.toLowerCase().includes(name)));

// The existing data directory: created and migrated once, untimed.
await (await startSystem(command("PGlite, existing"))).stop();

// ── Rounds ─────────────────────────────────────────────────────────────────────────────────────

interface RoundFigures {
  readyS: Sample;
  startupPeakMiB: Sample;
  restMiB: Sample;
  peakMiB: Sample;
  sequentialP50Ms: Sample;
  sequentialP99Ms: Sample;
  ackPerSecond: Sample;
  burstP99Ms: Sample;
  cpuMsPerAck: Sample;
  drainS: Sample;
  drainCpuMsPerEvent: Sample;
  ratioToNoop?: Sample;
}

const rounds = new Map<SystemName, RoundFigures[]>(measured.map((system) => [system, []]));

async function measureIngress(system: SystemName): Promise<RoundFigures> {
  const running = await startSystem(command(system));
  const readyS = sample(running.readyMs / 1000);
  const startupPeakMiB = sample(running.rss.peak());
  await pause(1000);
  const restMiB = sample(running.rss.sample());
  const hotfixGuard = system !== "no-op Probot";
  try {
    const sequential: LoadResult = await runLoad({ mode: "sequential", url: running.webhookUrl, secret: SECRET, count: SEQUENTIAL });
    const sequentialSamples = { p50: sample(sequential.p50Ms), p99: sample(sequential.p99Ms) };
    if (hotfixGuard && Number.isNaN(await waitForDrain(running.url, DRAIN_TIMEOUT_S))) {
      console.error(`${system}: the sequential deliveries were not processed within ${DRAIN_TIMEOUT_S} s; this round's burst figures include the worker's backlog`);
    }
    const cpuBefore = cpuMs(running.pid);
    const burst = await runLoad({ mode: "burst", url: running.webhookUrl, secret: SECRET, connections: CONNECTIONS, seconds: INGRESS_SECONDS });
    const cpuAfterBurst = cpuMs(running.pid);
    const burstSamples = { perSecond: sample(burst.perSecond), p99: sample(burst.p99Ms), cpu: sample((cpuAfterBurst - cpuBefore) / burst.acknowledged) };
    const drainS = sample(hotfixGuard ? await waitForDrain(running.url, DRAIN_TIMEOUT_S) : Number.NaN);
    const drainCpuMsPerEvent = sample(hotfixGuard ? (cpuMs(running.pid) - cpuAfterBurst) / burst.acknowledged : Number.NaN);
    if (sequential.failed + burst.failed > 0) console.error(`${system}: ${sequential.failed + burst.failed} deliveries not acknowledged`);
    return { readyS, startupPeakMiB, restMiB, peakMiB: sample(running.rss.peak()), sequentialP50Ms: sequentialSamples.p50, sequentialP99Ms: sequentialSamples.p99, ackPerSecond: burstSamples.perSecond, burstP99Ms: burstSamples.p99, cpuMsPerAck: burstSamples.cpu, drainS, drainCpuMsPerEvent };
  } finally {
    await running.stop();
  }
}

for (let round = 0; round < ROUNDS; round += 1) {
  const order = measured.map((_, i) => measured[(i + round) % measured.length] as SystemName);
  const figures = new Map<SystemName, RoundFigures>();
  for (const system of order) {
    console.error(`round ${round + 1}/${ROUNDS}: ${system} (load ${load1().toFixed(2)})`);
    figures.set(system, await measureIngress(system));
  }
  const noop = figures.get("no-op Probot");
  for (const [system, result] of figures) {
    if (noop) result.ratioToNoop = { value: result.ackPerSecond.value / noop.ackPerSecond.value, load: result.ackPerSecond.load };
    rounds.get(system)?.push(result);
  }
}

// ── Memory after many deliveries, and end to end ───────────────────────────────────────────────

const hotfixGuardSystems = measured.filter((system): system is "PGlite, existing" | "PostgreSQL" => system === "PGlite, existing" || system === "PostgreSQL");

async function soak(system: SystemName): Promise<Record<string, number>> {
  const running = await startSystem(command(system));
  try {
    await pause(1000);
    const restMiB = running.rss.sample();
    const burst = await runLoad({ mode: "burst", url: running.webhookUrl, secret: SECRET, connections: CONNECTIONS, amount: DELIVERIES });
    const afterIngressMiB = running.rss.sample();
    const drainS = await waitForDrain(running.url, DRAIN_TIMEOUT_S * 3);
    const afterDrainMiB = running.rss.sample();
    await pause(3000);
    return { deliveries: burst.acknowledged, ackPerSecond: burst.perSecond, drainS, restMiB, afterIngressMiB, afterDrainMiB, finalMiB: running.rss.sample(), peakMiB: running.rss.peak(), load: load1() };
  } finally {
    await running.stop();
  }
}

let firstNumber = 100_000;
async function endToEnd(system: SystemName, latencyMs: number): Promise<Record<string, unknown>> {
  const running: RunningSystem = await startSystem(command(system));
  try {
    const base = firstNumber;
    firstNumber += 10_000;
    const deliveries = await Promise.all(Array.from({ length: E2E_PRS }, (_, i) => hotfixOpened(SECRET, base + i, base + i)));
    await mockControl(latencyMs);
    const started = Date.now();
    await Promise.all(deliveries.map((delivery) => postDelivery(running.webhookUrl, delivery)));
    let stats = await mockControl();
    const deadline = started + DRAIN_TIMEOUT_S * 1000;
    while (stats.checkRunWrites < E2E_PRS && Date.now() < deadline) {
      await pause(50);
      stats = await mockControl();
    }
    const seconds = stats.checkRunWrites >= E2E_PRS && stats.lastCheckRunAt ? (stats.lastCheckRunAt - started) / 1000 : Number.NaN;
    const perEvent = Object.fromEntries(Object.entries(stats.requests).map(([route, count]) => [route, Math.round((count / E2E_PRS) * 100) / 100]));
    const total = Object.values(stats.requests).reduce((sum, count) => sum + count, 0) / E2E_PRS;
    return { latencyMs, seconds, checkRuns: stats.checkRunWrites, requestsPerEvent: total, perRoute: perEvent, peakMiB: running.rss.peak(), load: load1() };
  } finally {
    await running.stop();
  }
}

const soaks: Record<string, Record<string, number>> = {};
const e2e: Record<string, Record<string, unknown>[]> = {};
for (const system of hotfixGuardSystems) {
  console.error(`memory after ${DELIVERIES} deliveries: ${system} (load ${load1().toFixed(2)})`);
  soaks[system] = await soak(system);
  e2e[system] = [];
  for (const latency of [0, 50]) {
    console.error(`end to end, ${E2E_PRS} pull requests, GitHub after ${latency} ms: ${system} (load ${load1().toFixed(2)})`);
    e2e[system].push(await endToEnd(system, latency));
  }
}

await mock.stop();
if (postgresUrl) {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}
rmSync(scratch, { recursive: true, force: true });

// ── Report ─────────────────────────────────────────────────────────────────────────────────────

type Key = keyof RoundFigures;
const summaries = Object.fromEntries(
  [...rounds].map(([system, results]) => [
    system,
    Object.fromEntries((Object.keys(results[0] ?? {}) as Key[]).map((key) => [key, summarise(results.map((result) => result[key] as Sample))])) as Record<Key, Summary>,
  ]),
);
const result = {
  node: process.version,
  cpus: (await import("node:os")).cpus().length,
  settings: { rounds: ROUNDS, ingressSeconds: INGRESS_SECONDS, sequential: SEQUENTIAL, deliveries: DELIVERIES, e2ePullRequests: E2E_PRS, connections: CONNECTIONS },
  rounds: summaries,
  memoryAfterDeliveries: soaks,
  endToEnd: e2e,
};
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const file = join(ROOT, "bench", "results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

const noop = summaries["no-op Probot"];
const rows: string[][] = [];
const targets: Partial<Record<Key, (system: SystemName) => string>> = {
  readyS: (system) => (system === "PGlite, fresh" ? "≤ 5 s" : system === "no-op Probot" ? "" : "≤ 2 s"),
  startupPeakMiB: (system) => (system === "PostgreSQL" ? "≤ 114 MiB (120 MB)" : system === "no-op Probot" ? "" : "≤ 238 MiB (250 MB)"),
  peakMiB: (system) => (system === "PostgreSQL" ? "≤ 114 MiB (120 MB)" : system === "no-op Probot" ? "" : "≤ 238 MiB (250 MB)"),
  ackPerSecond: (system) => (system === "no-op Probot" ? "" : "≥ 0.9 × no-op"),
  ratioToNoop: (system) => (system === "no-op Probot" ? "" : "≥ 0.9"),
  burstP99Ms: (system) => (system === "no-op Probot" ? "" : "≤ 15 ms"),
};
const labels: Record<Key, string> = {
  readyS: "start-up: spawn → ready (s)",
  startupPeakMiB: "RSS peak during start-up (MiB)",
  restMiB: "RSS at rest (MiB)",
  peakMiB: "RSS peak over the round (MiB)",
  sequentialP50Ms: "sequential ack p50 (ms)",
  sequentialP99Ms: "sequential ack p99 (ms)",
  ackPerSecond: `acks/s, ${CONNECTIONS} connections, ${INGRESS_SECONDS} s`,
  burstP99Ms: `ack p99 at ${CONNECTIONS} connections (ms)`,
  ratioToNoop: "acks/s ÷ no-op's in the same round",
  cpuMsPerAck: "CPU ms per acknowledged delivery during the burst (worker included)",
  drainS: "queue drained after the burst (s)",
  drainCpuMsPerEvent: "CPU ms per event while draining (handlers)",
};
for (const key of Object.keys(labels) as Key[]) {
  for (const system of measured) {
    const summary = summaries[system]?.[key];
    if (!summary || summary.values.length === 0 || (key === "ratioToNoop" && system === "no-op Probot")) continue;
    const baseline = system !== "no-op Probot" && noop?.[key] && noop[key].values.length > 0 ? describe(noop[key]) : "";
    rows.push([labels[key], system, describe(summary), baseline, targets[key]?.(system) ?? ""]);
  }
}
for (const [system, soakFigures] of Object.entries(soaks)) {
  rows.push([
    `RSS after ${soakFigures.deliveries} deliveries processed (MiB)`,
    system,
    `rest ${figure(soakFigures.restMiB as number)} → after ingress ${figure(soakFigures.afterIngressMiB as number)} → drained ${figure(soakFigures.afterDrainMiB as number)} → final ${figure(soakFigures.finalMiB as number)}, peak ${figure(soakFigures.peakMiB as number)}; drain ${figure(soakFigures.drainS as number)} s [load ${(soakFigures.load as number).toFixed(1)}]`,
    noop ? `no-op at rest ${describe(noop.restMiB)}` : "",
    system === "PostgreSQL" ? "≤ 114 MiB, flat" : "≤ 238 MiB, flat",
  ]);
}
for (const [system, runs] of Object.entries(e2e)) {
  for (const run of runs) {
    rows.push([
      `end to end: ${E2E_PRS} PRs opened, GitHub after ${run.latencyMs as number} ms: last check run (s)`,
      system,
      `${figure(run.seconds as number)} s, ${figure(run.requestsPerEvent as number)} GitHub requests per event, peak ${figure(run.peakMiB as number)} MiB [load ${(run.load as number).toFixed(1)}]`,
      "11 requests per cold event (test/integration/request-budget.test.ts)",
      run.latencyMs === 0 ? "≤ 2 s" : "≤ 10 s",
    ]);
  }
}
const header = ["figure", "system", "median (min–max) [1-min load average per round]", "baseline", "target (issue 11)"];
console.log(`\nnpm run bench — Node ${process.version}, ${result.cpus} CPUs, ${ROUNDS} rounds; results in ${file}\n`);
console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
const firstE2e = Object.values(e2e)[0]?.[0];
if (firstE2e) console.log(`\nGitHub requests per pull_request.opened event (cold caches, ${Object.keys(e2e)[0]}):\n${JSON.stringify(firstE2e.perRoute, null, 2)}`);
process.exit(0);
