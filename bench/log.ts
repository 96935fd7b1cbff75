/**
 * `npm run bench:log`: the hotfix log at scale. Fills a fresh PGlite (and PostgreSQL when
 * DATABASE_URL is set: a scratch database, dropped afterwards) with 10,000 hotfix records over 200
 * repositories, then times what the web view and the handlers do: the log's first page (all
 * repositories, and filtered), one hotfix with its timeline, the metrics of one repository and of
 * all 200, and recording one event, beside a `SELECT 1` round trip as the machine's baseline.
 * Prints medians; nothing is asserted (machines are noisy).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { resolveConfig } from "../src/config/load.js";
import { factsAt, mergeBackFact, mergeFacts } from "../src/log/facts.js";
import { pullRequestFacts } from "../src/log/recorder.js";
import { HotfixLogStore } from "../src/log/store.js";
import { openDatabase, type Database } from "../src/store/database.js";
import { migrate } from "../src/store/migrations.js";

const RECORDS = Number(process.env.BENCH_LOG_RECORDS ?? 10_000);
const REPOSITORIES = Number(process.env.BENCH_LOG_REPOS ?? 200);
const RUNS = Number(process.env.BENCH_LOG_RUNS ?? 30);
const NOW = new Date("2026-11-30T12:00:00Z");
const DAY_MS = 24 * 3_600_000;
const WINDOW = { since: new Date(NOW.getTime() - 90 * DAY_MS).toISOString(), until: NOW.toISOString() };
const BODY = `**Incident Reference:** INC-{n}
**Severity:** {severity}
**Emergency Justification:** Checkout fails for every customer.

### Issue Description
The payment gateway client sends an empty currency code.

### Fix Implementation
Default the currency to the account's currency.

### Risk Assessment
**Risks Accepted:** Shortened review.
**Rollback Plan:** Revert the merge commit.
**Monitoring Plan:** Watch the checkout error rate.
`;

const config = resolveConfig([{ location: "bench", config: null }]);
if (!config.ok) throw new Error("the default configuration is invalid");
const policy = config.policy;

function repoName(index: number): string {
  return `acme/service-${String(index).padStart(3, "0")}`;
}

/** Hotfix `n`: spread over a year, a tenth still open, some bypassed, merge-back and post-incident states varied. */
async function fill(store: HotfixLogStore): Promise<void> {
  for (let n = 0; n < RECORDS; n += 1) {
    const repo = repoName(n % REPOSITORIES);
    const opened = new Date(NOW.getTime() - ((n * 7919) % 365) * DAY_MS - (n % 24) * 3_600_000);
    const openedAt = opened.toISOString();
    const updatedAt = new Date(opened.getTime() + 30 * 60_000).toISOString();
    const mergedAt = new Date(opened.getTime() + (30 + (n % 240)) * 60_000).toISOString();
    const merged = n % 10 !== 0;
    const pr = {
      number: 1000 + Math.floor(n / REPOSITORIES),
      title: `hotfix(api): fix ${n}`,
      body: BODY.replace("{n}", String(n % 500)).replace("{severity}", n % 3 === 0 ? "HIGH" : "CRITICAL"),
      user: { login: `dev-${n % 37}` },
      head: { ref: `hotfix/v1.${n % 9}.${n % 13}-fix-${n}`, sha: n.toString(16).padStart(40, "0") },
      base: { ref: "main" },
      state: merged ? "closed" : "open",
      created_at: openedAt,
      updated_at: updatedAt,
      html_url: `https://github.com/${repo}/pull/${1000 + n}`,
      merged_at: merged ? mergedAt : null,
      additions: n % 50,
      deletions: n % 20,
      changed_files: 1 + (n % 25),
    };
    const verdict = n % 7 === 0 ? "unjustified-bypass" : n % 5 === 0 ? "justified-bypass" : "compliant";
    const facts = merged
      ? mergeFacts(
          pullRequestFacts(repo, pr, policy),
          factsAt(mergedAt, {
            mergedAt,
            merger: `senior-${n % 11}`,
            mergeSha: (n + 1).toString(16).padStart(40, "f"),
            state: "merged",
            filesAffected: [`src/module-${n % 40}.ts`, `test/module-${n % 40}.test.ts`],
            audit: { verdict, unmet: verdict === "compliant" ? [] : ["Approvals"], justification: null, auditedAt: mergedAt },
            "^postIncident": { repo, number: 5000 + n, openedAt: mergedAt, dueAt: new Date(Date.parse(mergedAt) + 2 * DAY_MS).toISOString() },
            postIncidentClosedAt: n % 4 === 0 ? null : new Date(Date.parse(mergedAt) + (n % 5) * DAY_MS).toISOString(),
            [mergeBackFact("develop")]: { doneAt: n % 6 === 0 ? null : new Date(Date.parse(mergedAt) + 3_600_000).toISOString(), evidence: "merge commit" },
          }),
        )
      : pullRequestFacts(repo, pr, policy);
    await store.record({ repo, pullRequest: pr.number, facts, event: { kind: "pr-opened", subject: "", at: openedAt, actor: pr.user.login, detail: "opened", url: null }, source: "live" });
  }
}

async function time(runs: number, work: (run: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    await work(run);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return Math.round((samples[Math.floor(samples.length / 2)] as number) * 100) / 100;
}

async function measure(name: string, db: Database): Promise<Record<string, number | string>> {
  await migrate(db);
  const store = new HotfixLogStore(db, () => NOW);
  const fillStart = Date.now();
  await fill(store);
  const fillSeconds = (Date.now() - fillStart) / 1000;
  const all = Array.from({ length: REPOSITORIES }, (_, index) => repoName(index));
  const some = all.slice(0, 50);
  return {
    backend: name,
    records: RECORDS,
    repositories: REPOSITORIES,
    "fill (s)": Math.round(fillSeconds * 10) / 10,
    "baseline: one SELECT 1 round trip (ms)": await time(RUNS * 10, () => db.query("SELECT 1")),
    "log first page, 200 repos (ms)": await time(RUNS, () => store.list({ repos: all }, { page: 1, perPage: 50 })),
    "log first page, 50 repos, bypass + open follow-ups (ms)": await time(RUNS, () => store.list({ repos: some, verdict: "unjustified-bypass", openFollowUps: true }, { page: 1, perPage: 50 })),
    "one hotfix with timeline (ms)": await time(RUNS, (run) => store.get(repoName(run % REPOSITORIES), "HOTFIX-010")),
    "metrics, one repo (ms)": await time(RUNS, (run) => store.metrics(repoName(run % REPOSITORIES), WINDOW)),
    "metrics, 200 repos (ms)": await time(Math.max(5, Math.floor(RUNS / 3)), () => store.metrics(all, WINDOW)),
    "record one event (ms)": await time(RUNS * 10, (run) =>
      store.record({
        repo: repoName(run % REPOSITORIES),
        pullRequest: 1000 + (run % 50),
        facts: factsAt(NOW, { [`^reviewer:bench-${run}`]: `bench-${run}` }),
        event: { kind: "review", subject: `bench-${run}@${NOW.toISOString()}`, at: NOW.toISOString(), actor: `bench-${run}`, detail: "approved", url: null },
        source: "live",
      }),
    ),
  };
}

async function withPostgres<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const name = `hotfix_guard_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    return await work(db);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

const results: Record<string, number | string>[] = [];
const pglite = await openDatabase({ dataDir: "memory://" });
try {
  results.push(await measure("PGlite", pglite));
} finally {
  await pglite.close();
}
if (process.env.DATABASE_URL) results.push(await withPostgres((db) => measure("PostgreSQL", db)));
console.log(JSON.stringify(results, null, 2));
for (const result of results) {
  console.log(`\n${result.backend}: ${result.records} records over ${result.repositories} repositories (medians)`);
  for (const [key, value] of Object.entries(result)) if (!["backend", "records", "repositories"].includes(key)) console.log(`  ${key.padEnd(58)} ${value}`);
}
