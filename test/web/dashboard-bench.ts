/**
 * The dashboard's server time over the real hotfix log store with 10,000 hotfix records in 200
 * repositories (issue 12's benchmark): the log page (first, a later page, a filter), the metrics
 * page and a hotfix page, each measured from the request reaching the handler to the response
 * being written, after three warm-up requests (the first ones pay for JIT compilation and the
 * database's caches). Figures are printed, never asserted.
 *
 *   npx tsx test/web/dashboard-bench.ts            # embedded PGlite, in memory
 *   BENCH_DATA_DIR=/tmp/hg-bench npx tsx test/web/dashboard-bench.ts   # PGlite on disk, seeded once, reused
 *   DATABASE_URL=postgres://… npx tsx test/web/dashboard-bench.ts      # a scratch database, dropped afterwards
 *   DATABASE_URL=postgres://… BENCH_DATABASE=hg_bench npx tsx test/web/dashboard-bench.ts   # that database, seeded once, kept
 *
 * Each page's time is also split: the reader calls alone (the store), the rest is the dashboard.
 * Beside each time, the CPU time a request or call took (for a page, the client's share included).
 * `BENCH_ONLY=metrics` measures only the pages and reader calls whose label contains that word.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";
import { createDashboardHandler } from "../../src/web/handler.js";
import { dashboardConfigFromEnv } from "../../src/web/settings.js";
import { COMPLETE_BODY, policyFrom } from "../helpers/builders.js";
import { hotfixPr } from "../log/timeline.js";
import { CLIENT_ID, CLIENT_SECRET, FakeGitHub, type FakeUser } from "./fake-github.js";
import { SESSION_SECRET, signIn } from "./harness.js";

const RECORDS = 10_000;
const REPOS = 200;
const NOW = new Date("2026-11-25T12:00:00Z");
const DAY = 86_400_000;
const SEVERITIES = ["CRITICAL", "HIGH", "P0", "P1"];

async function open(): Promise<{ db: Database; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDatabase({ dataDir: process.env.BENCH_DATA_DIR ?? "memory://" });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const kept = process.env.BENCH_DATABASE;
  if (kept !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(kept)) throw new Error("BENCH_DATABASE must be a plain lower-case database name");
  const name = kept ?? `hotfix_guard_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  if (!kept || (await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount === 0) await admin(`CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  const db = await openDatabase({ url: scratch.toString() });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      if (!kept) await admin(`DROP DATABASE IF EXISTS ${name}`);
    },
  };
}

const repoName = (index: number) => `acme/service-${String(index).padStart(3, "0")}`;

async function seed(store: HotfixLogStore): Promise<void> {
  const policy = policyFrom();
  const recorder = new HotfixRecorder(store, () => NOW, { warn: (details) => console.error("recording failed", details) });
  for (let i = 0; i < RECORDS; i++) {
    const repo = repoName(i % REPOS);
    const number = 1000 + Math.floor(i / REPOS);
    const opened = new Date(NOW.getTime() - ((i * 7919) % 365) * DAY - (i % 24) * 3_600_000);
    const at = (ms: number) => new Date(opened.getTime() + ms).toISOString();
    const body = COMPLETE_BODY.replace("**Severity:** CRITICAL", `**Severity:** ${SEVERITIES[i % SEVERITIES.length]}`);
    const pr = hotfixPr(number, at(0), { body, created_at: at(0), html_url: `https://github.com/${repo}/pull/${number}`, title: `hotfix: incident ${i}` });
    await recorder.pullRequest(repo, pr, policy);
    const bypass = i % 9 === 0;
    await recorder.merged(
      repo,
      { number, mergedAt: at(90 * 60_000), mergedBy: "lead", mergeCommitSha: `${i}`.padStart(40, "c"), headRef: pr.head.ref, files: ["src/a.ts", "test/a.test.ts"] },
      { verdict: bypass ? "bypass" : "compliant", justified: bypass && i % 2 === 0, unmet: [], justification: null },
      policy,
    );
    if (i % 3 !== 0) await recorder.mergeBack(repo, number, [{ target: "develop", doneAt: at(4 * 3_600_000), evidence: "merge commit" }], null);
    if (i > 0 && i % 1000 === 0) console.log(`seeded ${i}`);
  }
}

/**
 * CPU time (user and system, this process: with PGlite, the database's too) since `start`, per
 * run: on the shared, loaded machine wall-clock times are noisy, CPU time much less so.
 */
function cpuMs(start: NodeJS.CpuUsage, runs: number): string {
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / runs).toFixed(1);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const { db, drop } = await open();
const store = new HotfixLogStore(db, () => NOW);
const [existing] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM hotfix_records");
if (Number(existing?.n ?? 0) < RECORDS) {
  const seedStart = performance.now();
  await seed(store);
  console.log(`seeded ${RECORDS} records over ${REPOS} repositories in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${db.kind})`);
} else {
  console.log(`reusing ${existing?.n} records (${db.kind})`);
}

const github = new FakeGitHub();
await github.start();
const reader: FakeUser = { login: "manager", repos: Array.from({ length: REPOS }, (_, i) => ({ fullName: repoName(i), admin: i % 2 === 0, private: true })) };
github.addUser(reader);
const timings = new Map<string, number[]>();
let current = "";
const server = createServer((req, res) => {
  const start = performance.now();
  void handler(req, res).then(() => {
    if (current) timings.set(current, [...(timings.get(current) ?? []), performance.now() - start]);
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const handler = createDashboardHandler({
  config: dashboardConfigFromEnv({ GITHUB_CLIENT_ID: CLIENT_ID, GITHUB_CLIENT_SECRET: CLIENT_SECRET, SESSION_SECRET, GITHUB_API_URL: github.apiUrl, DASHBOARD_PUBLIC_URL: origin }),
  reader: store,
  now: () => NOW,
});
const dashboard = { url: `${origin}/dashboard`, origin, reader: store, stop: async () => undefined };
const { cookie } = await signIn(dashboard, github, reader);
const pages: Record<string, string> = {
  "log, page 1": "",
  "log, page 40": "?page=40",
  "log, severity + verdict filter": "?severity=HIGH&verdict=compliant",
  "log, open follow-ups": "?followups=open",
  "metrics, 6 months, 200 repositories": "/metrics",
  "metrics, 12 months, 200 repositories": "/metrics?months=12",
  "metrics, one repository": `/metrics?repo=${repoName(7)}`,
  "hotfix page": `/hotfix/${repoName(7)}/HOTFIX-010`,
};
const only = (label: string) => !process.env.BENCH_ONLY || label.includes(process.env.BENCH_ONLY);
for (const [label, path] of Object.entries(pages).filter(([label]) => only(label))) {
  current = "";
  for (let warm = 0; warm < 3; warm++) await fetch(`${dashboard.url}${path}`, { headers: { cookie } }).then((r) => r.text());
  current = label;
  let bytes = 0;
  const cpuStart = process.cpuUsage();
  for (let run = 0; run < 5; run++) {
    const response = await fetch(`${dashboard.url}${path}`, { headers: { cookie } });
    if (response.status !== 200) throw new Error(`${label}: ${response.status}`);
    bytes = Buffer.byteLength(await response.text());
  }
  const values = timings.get(label) ?? [];
  console.log(`${label.padEnd(40)} median ${median(values).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (server time, 5 runs), ${cpuMs(cpuStart, 5)} ms CPU a request, ${(bytes / 1024).toFixed(0)} KiB`);
}
const repos = Array.from({ length: REPOS }, (_, i) => repoName(i));
const window6 = { since: "2026-06-01T00:00:00.000Z", until: NOW.toISOString() };
const window12 = { since: "2025-12-01T00:00:00.000Z", until: NOW.toISOString() };
const direct: Record<string, () => Promise<unknown>> = {
  "store.list, page 1, 200 repositories": () => store.list({ repos }, { page: 1, perPage: 25 }),
  "store.metrics, 6 months, 200 repositories": () => store.metrics(repos, window6),
  "store.metrics, 12 months, 200 repositories": () => store.metrics(repos, window12),
  "store.get, one hotfix": () => store.get(repoName(7), "HOTFIX-010"),
};
for (const [label, call] of Object.entries(direct).filter(([label]) => only(label))) {
  await call();
  const values: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    await call();
    values.push(performance.now() - start);
  }
  console.log(`${label.padEnd(40)} median ${median(values).toFixed(1)} ms (reader alone, 5 runs), ${cpuMs(cpuStart, 5)} ms CPU a call`);
}
console.log(`load average ${loadavg().map((load) => load.toFixed(1)).join(" ")}`);
server.closeAllConnections();
server.close();
await github.stop();
await drop();
