/**
 * `npx tsx bench/cpu-per-event.ts`: the CPU time Hotfix Guard spends per processed
 * `pull_request.opened` hotfix delivery, and the memory it keeps, measured inside the process by
 * bench/probe.mjs (preloaded; `--expose-gc`). The app runs as production starts it (`node
 * lib/main.js`, built first when stale) on a scratch PostgreSQL database (created and dropped),
 * GitHub is bench/mock-github.ts answering at once. Phases, each ending when the queue is drained:
 * - warm-up: BENCH_WARMUP deliveries over 64 installations;
 * - warm: BENCH_EVENTS deliveries over the same 64 installations (new pull requests): CPU per
 *   event with the installations' tokens and facts already known;
 * - cold: BENCH_EVENTS deliveries, each of a new installation (as in `npm run bench`'s end to end);
 * - soak: BENCH_SOAK deliveries in chunks of BENCH_SOAK_CHUNK, over the 64 known installations
 *   (what a delivery leaves behind) and then over new installations (what an installation does).
 * After each phase: CPU used (user + system) per event, GitHub requests and database transactions
 * and rows written per event (both CPU and transactions include the bench's own `/metrics` polls
 * while it waits for the queue to drain, one every 100 ms), and heap and RSS before and after a
 * forced full collection. BENCH_CPU_PROF=1 writes a `--cpu-prof` profile to bench/results/;
 * BENCH_HEAP_SNAPSHOTS=1 writes a heap snapshot after each phase there; BENCH_APP_ENV (a JSON
 * object) adds to the app's environment, e.g. `{"NODE_OPTIONS":"--max-semi-space-size=2"}`.
 * Nothing is asserted.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { hotfixOpened, postDelivery, type SignedDelivery } from "./deliveries.js";
import type { MockStats } from "./mock-github.js";
import { appEnvironment, ROOT, startHelper, startSystem, waitForDrain } from "./processes.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 64);
const SOAK = Number(process.env.BENCH_SOAK ?? 0);
const SOAK_CHUNK = Number(process.env.BENCH_SOAK_CHUNK ?? 500);
const CONCURRENCY = 8;
const KNOWN_INSTALLATIONS = 64;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = randomBytes(16).toString("hex");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const RESULTS = join(ROOT, "bench", "results");
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const probeOut = join(RESULTS, `probe-${stamp}.jsonl`);
mkdirSync(RESULTS, { recursive: true });

interface ProbeLine {
  /** CPU time when the probe was asked, and once it had done its collections (and snapshot). */
  readonly cpu: { user: number; system: number };
  readonly cpuAfter: { user: number; system: number };
  readonly before: NodeJS.MemoryUsage;
  readonly after: NodeJS.MemoryUsage;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const load = () => loadavg().map((value) => value.toFixed(2)).join("/");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const build = spawnSync(process.execPath, [join(ROOT, "scripts", "build-if-stale.mjs")], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const mock = await startHelper<{ url: string }>("mock-github.ts", []);
const githubUrl = mock.value.url;
async function mockStats(reset = false): Promise<MockStats> {
  return (await (await fetch(`${githubUrl}/_bench/${reset ? "reset" : "stats"}`, { method: "POST", body: "{}" })).json()) as MockStats;
}

const database = `hg_e2e_scratch_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${database}`;

const nodeArgs = ["--expose-gc", "--import", join(ROOT, "bench", "probe.mjs")];
if (process.env.BENCH_CPU_PROF === "1") nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${RESULTS}`);
const system = await startSystem({
  args: [...nodeArgs, join(ROOT, "lib", "main.js")],
  env: {
    ...appEnvironment(privateKey, SECRET, githubUrl),
    DATABASE_URL: databaseUrl.toString(),
    PROBE_OUT: probeOut,
    ...(process.env.BENCH_HEAP_SNAPSHOTS === "1" ? { PROBE_SNAPSHOT_DIR: RESULTS } : {}),
    ...(JSON.parse(process.env.BENCH_APP_ENV ?? "{}") as Record<string, string>),
  },
  readyPath: "/readyz",
  webhookPath: "/api/github/webhooks",
});

let probes = 0;
async function probe(): Promise<ProbeLine> {
  probes += 1;
  process.kill(system.pid, "SIGUSR2");
  for (;;) {
    await pause(50);
    const lines = existsSync(probeOut) ? readFileSync(probeOut, "utf8").trim().split("\n") : [];
    if (lines.length >= probes) return JSON.parse(lines[probes - 1] as string) as ProbeLine;
  }
}

let nextNumber = 10_000;
let nextInstallation = KNOWN_INSTALLATIONS + 1;
/** Sends `count` new hotfix pull requests, `CONCURRENCY` at a time, then waits for the queue to drain. */
async function send(count: number, installationOf: (i: number) => number): Promise<void> {
  const deliveries: SignedDelivery[] = await Promise.all(Array.from({ length: count }, (_, i) => hotfixOpened(SECRET, installationOf(i), (nextNumber += 1))));
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < deliveries.length) {
        const { status } = await postDelivery(system.webhookUrl, deliveries[next++] as SignedDelivery);
        if (status >= 300) console.error(`delivery answered ${status}`);
      }
    }),
  );
  await waitForDrain(system.url, 600);
}
const known = (i: number) => (i % KNOWN_INSTALLATIONS) + 1;
const fresh = () => nextInstallation++;

interface DatabaseCounts {
  readonly transactions: number;
  readonly rowsWritten: number;
}
/** The scratch database's committed transactions and rows inserted, updated or deleted so far (PostgreSQL's statistics, which lag by up to a second). */
async function databaseCounts(): Promise<DatabaseCounts> {
  await pause(1000);
  const { rows } = await admin.query<{ xact_commit: string; written: string }>(
    "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted AS written FROM pg_stat_database WHERE datname = $1",
    [database],
  );
  return { transactions: Number(rows[0]?.xact_commit ?? 0), rowsWritten: Number(rows[0]?.written ?? 0) };
}

const rows: string[] = [];
let previous: ProbeLine | null = null;
let previousCounts: DatabaseCounts | null = null;
/** Adds the table row of a phase: what it cost since the previous probe, and the memory now. */
async function report(phase: string, events: number, stats: MockStats | null): Promise<void> {
  const counts = await databaseCounts();
  const line = await probe();
  const cpuMs = previous ? (line.cpu.user + line.cpu.system - previous.cpuAfter.user - previous.cpuAfter.system) / 1000 : 0;
  const requests = stats ? Object.values(stats.requests).reduce((sum, count) => sum + count, 0) : 0;
  rows.push(
    [
      phase,
      String(events),
      events ? (cpuMs / events).toFixed(2) : "",
      events && stats ? (requests / events).toFixed(2) : "",
      stats ? String(stats.checkRunWrites) : "",
      events && previousCounts ? ((counts.transactions - previousCounts.transactions) / events).toFixed(1) : "",
      events && previousCounts ? ((counts.rowsWritten - previousCounts.rowsWritten) / events).toFixed(1) : "",
      mib(line.before.heapUsed),
      mib(line.after.heapUsed),
      mib(line.after.external),
      mib(line.before.rss),
      mib(line.after.rss),
      load(),
    ].join(" | "),
  );
  console.error(rows.at(-1));
  previous = line;
  previousCounts = counts;
}
await report("at rest", 0, null);

async function phase(name: string, count: number, installationOf: (i: number) => number): Promise<void> {
  await mockStats(true);
  await send(count, installationOf);
  await report(name, count, await mockStats());
}

try {
  await phase("warm-up, 64 installations", WARMUP, known);
  await phase("warm, 64 known installations", EVENTS, known);
  await phase("cold, a new installation each", EVENTS, fresh);
  for (let done = 0; done < SOAK; done += SOAK_CHUNK) await phase(`soak, known installations, ${done + SOAK_CHUNK}`, SOAK_CHUNK, known);
  for (let done = 0; done < SOAK; done += SOAK_CHUNK) await phase(`soak, new installations, ${done + SOAK_CHUNK}`, SOAK_CHUNK, fresh);
} finally {
  await system.stop();
  await mock.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
}

console.log(`\nCPU per processed pull_request.opened (Node ${process.version}; probe lines in ${probeOut})\n`);
console.log("| phase | events | CPU ms/event | GitHub requests/event | check runs written | database transactions/event | database rows written/event | heap used before GC (MiB) | heap after GC (MiB) | external after GC (MiB) | RSS before GC (MiB) | RSS after GC (MiB) | load 1/5/15 |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(`| ${row} |`);
process.exit(0);
