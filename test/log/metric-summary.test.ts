/**
 * The window's metrics are read from each record's metric summary (migration 4), not from its
 * whole fact set. On PGlite and, when DATABASE_URL is set, PostgreSQL: over a realistic log
 * (three repositories, one spelt in two cases; open and merged hotfixes; every audit verdict;
 * post-incident reviews on time, late, open and missing; merge-back targets done, pending and
 * done at an unknown time; deployments; repeated incident references and files; reverts and
 * hotfixes naming earlier ones), recorded from shuffled and duplicated events by a live and an
 * overlapping backfill recorder, the metrics equal those computed from the full records, and so
 * do they for rows written before the summary existed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toRecord, type FactSet } from "../../src/log/facts.js";
import type { LogMetrics, MetricsWindow, RecordSource } from "../../src/log/model.js";
import { HotfixRecorder, type AuditOutcome, type PullRequestFields } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import { logMetrics } from "../../src/rules/hotfix-metrics.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";
import { COMPLETE_BODY, policyFrom } from "../helpers/builders.js";
import { BACKENDS, HOOK_TIMEOUT_MS } from "../helpers/databases.js";
import { shuffled } from "./timeline.js";

const NOW = new Date("2026-11-30T12:00:00Z");
const WINDOW: MetricsWindow = { since: "2026-09-01T00:00:00Z", until: "2026-12-01T00:00:00Z" };
const REPOS = ["acme/payments", "acme/web", "Acme/API"] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const POLICY = policyFrom();
const STRICT = policyFrom({ metrics: { repeat_within_days: 60 }, post_incident: { due_hours: 24 } });

type Step = (recorder: HotfixRecorder) => Promise<unknown>;

function at(ms: number): string {
  return new Date(ms).toISOString();
}

const VERDICTS: readonly AuditOutcome[] = [
  { verdict: "compliant", justified: false, unmet: [], justification: null },
  { verdict: "bypass", justified: true, unmet: [], justification: null },
  { verdict: "bypass", justified: false, unmet: [], justification: null },
  { verdict: "unverified", justified: false, unmet: [], justification: null },
];

/** Hotfix `i`: opened every four days from June on, in one of the repositories, with its life varied by `i`. */
function hotfixSteps(i: number): Step[] {
  const repo = i % 12 === 2 ? "acme/api" : (REPOS[i % REPOS.length] as string);
  const number = 100 + i;
  const opened = Date.parse("2026-05-20T08:00:00Z") + i * 4 * DAY + (i % 5) * HOUR;
  const merged = opened + (1 + (i % 7)) * HOUR;
  const mentions = i % 8 === 5 ? `\nFollows up HOTFIX-00${1 + (i % 3)} and #${number - 6}.` : "";
  const incidentTime = i % 5 === 2 ? `**Date/Time:** ${at(opened - 2 * HOUR).slice(0, 16).replace("T", " ")} UTC\n` : "";
  const body = `${incidentTime}${COMPLETE_BODY.replace("INC-4521", i % 4 === 3 ? `inc-${i % 6}. ` : `INC-${i % 6}`).replace("CRITICAL", i % 3 === 0 ? "HIGH" : "CRITICAL")}${mentions}`;
  const pr = (updated: number, extra: Partial<PullRequestFields> = {}): PullRequestFields => ({
    number,
    title: `hotfix(api): fix ${i}`,
    body,
    user: { login: `dev-${i % 4}` },
    head: { ref: `hotfix/v1.${i}.1-fix`, sha: String(i).padStart(40, "a") },
    base: { ref: "main" },
    state: "open",
    created_at: at(opened),
    updated_at: at(updated),
    html_url: `https://github.com/${repo}/pull/${number}`,
    additions: 10 + i * 13,
    deletions: i % 11,
    changed_files: 1 + (i % 23),
    ...extra,
  });
  const steps: Step[] = [
    (r) => r.pullRequest(repo, pr(opened), i % 2 === 0 ? POLICY : STRICT),
    (r) => r.reviewRequested(repo, pr(opened + 60_000), { reviewer: "senior-bob" }, `dev-${i % 4}`),
  ];
  if (i % 4 !== 1) steps.push((r) => r.review(repo, pr(opened + 20 * 60_000), { id: 9000 + i, user: { login: "senior-bob" }, state: "APPROVED", submitted_at: at(opened + (10 + i) * 60_000) }));
  if (i % 6 === 0) return steps;
  const sha = String(i).padStart(40, "b");
  steps.push(
    (r) =>
      r.merged(
        repo,
        { number, mergedAt: at(merged), mergedBy: "senior-bob", mergeCommitSha: sha, headRef: `hotfix/v1.${i}.1-fix`, files: [`src/module-${i % 4}.ts`, ...(i % 3 === 0 ? ["test/shared.test.ts"] : [])] },
        VERDICTS[i % VERDICTS.length] as AuditOutcome,
        POLICY,
      ),
    (r) => r.pullRequest(repo, pr(merged, { state: "closed", merged_at: at(merged) }), POLICY),
  );
  if (i % 5 !== 4) steps.push((r) => r.postIncidentOpened(repo, number, { repo, number: 500 + i, openedAt: at(merged + 60_000), url: null }, i % 7 === 3 ? null : at(merged + 48 * HOUR)));
  if (i % 5 < 2) steps.push((r) => r.postIncidentClosed(repo, { number: 500 + i, closedAt: at(merged + (i % 2 === 0 ? 20 : 70) * HOUR), at: at(merged + 70 * HOUR), actor: "dev-alice", url: null }));
  if (i % 3 !== 1) steps.push((r) => r.deployed(repo, { id: 7000 + i, sha, ref: "main", environment: "production", at: at(merged + 30 * 60_000), actor: "deploy-bot", url: null }));
  steps.push((r) =>
    r.mergeBack(
      repo,
      number,
      [
        { target: "develop", doneAt: i % 4 === 2 ? null : at(merged + (i % 9) * HOUR), evidence: "merge commit" },
        ...(i % 3 === 0 ? [{ target: "release/1.x", doneAt: i % 2 === 1 ? at(merged) : null, evidence: null, ...(i % 2 === 1 ? { timeKnown: false } : {}) }] : []),
      ],
      { repo, number: 600 + i },
    ),
  );
  if (i % 9 === 4) steps.push((r) => r.revertMerged(repo, { number: 900 + i, title: `Revert "fix ${i}"`, body: null, mergedAt: at(merged + 3 * DAY), url: null, actor: "dev-alice" }, [number]));
  if (i % 10 === 7) steps.push((r) => r.revertMerged(repo, { number: 950 + i, title: "Revert", body: null, mergedAt: at(merged + 2 * DAY), url: null, actor: "dev-alice" }, [number - 3]));
  return steps;
}

describe.each(BACKENDS)("the window's metrics from the records' summaries on $name", (backend) => {
  let db: Database;
  let store: HotfixLogStore;

  beforeAll(async () => {
    db = await backend.open();
    store = new HotfixLogStore(db, () => NOW);
    const live = new HotfixRecorder(store, () => NOW, { warn: () => undefined });
    const backfill = new HotfixRecorder(store, () => NOW, { warn: () => undefined }, "backfill");
    await live.settings("acme/web", STRICT);
    const steps = Array.from({ length: 48 }, (_, i) => hotfixSteps(i)).flat();
    for (const step of shuffled(steps, 7)) await step(live);
    for (const step of shuffled(steps, 11).slice(0, Math.floor(steps.length / 2))) await step(backfill);
    for (const step of shuffled(steps, 13).slice(0, 40)) await step(live);
  }, HOOK_TIMEOUT_MS);
  afterAll(() => backend.dispose(db), HOOK_TIMEOUT_MS);

  /**
   * The metrics computed from the whole fact sets of the same records, in the same order: those of
   * the repositories whatever their case, or (`exactly`) only those spelt as given.
   */
  async function fromFacts(repos: readonly string[], exactly = false, window: MetricsWindow = WINDOW): Promise<LogMetrics> {
    const rows = await db.query<{ repo: string; pr: number; seq: number; facts: FactSet | string; source: RecordSource; updated_at: Date | string }>(
      `SELECT repo, pr, seq, facts, source, updated_at FROM hotfix_records
       WHERE (CASE WHEN $4::boolean THEN repo ELSE lower(repo) END) = ANY($1::text[]) AND date_time >= $2 AND date_time < $3 ORDER BY repo COLLATE "C", date_time, seq`,
      [exactly ? repos : repos.map((repo) => repo.toLowerCase()), new Date(Date.parse(window.since) - 180 * DAY), window.until, exactly],
    );
    const history = rows.map((row) =>
      toRecord({ repo: row.repo, pr: Number(row.pr), seq: Number(row.seq), facts: typeof row.facts === "string" ? (JSON.parse(row.facts) as FactSet) : row.facts, source: row.source, updatedAt: new Date(row.updated_at).toISOString() }),
    );
    return logMetrics(history, repos, window, await store.settings(repos), NOW);
  }

  /**
   * Windows (all, the middle, the edges, none) times repository sets. Each figure equals the one
   * from the full records and the one the metrics gave before they read the narrow copy of the
   * records (migration 8) and cached parsed times within a call: the snapshot was written by that
   * computation over this log.
   */
  const CASES = [
    { name: "the last quarter", window: WINDOW },
    { name: "six months", window: { since: "2026-06-01T00:00:00Z", until: "2026-12-01T00:00:00Z" } },
    { name: "a window cutting through the log", window: { since: "2026-07-15T12:00:00Z", until: "2026-10-01T00:00:00Z" } },
    { name: "the first weeks, with nothing before them", window: { since: "2026-05-01T00:00:00Z", until: "2026-06-10T00:00:00Z" } },
    { name: "a window with no hotfix", window: { since: "2027-01-01T00:00:00Z", until: "2027-02-01T00:00:00Z" } },
  ].flatMap(({ name, window }) =>
    [[...REPOS], ["acme/web"], ["Acme/API"], ["acme/payments", "acme/web"]].map((repos) => ({ name: `${name}, ${repos.join(" + ")}`, window, repos })),
  );

  it.each(CASES)("gives the figures of the full records and of the earlier computation: $name", async ({ window, repos }) => {
    const metrics = await store.metrics(repos, window);
    expect(metrics).toStrictEqual(await fromFacts(repos, false, window));
    expect(metrics).toMatchSnapshot();
  });

  it("gives every metric of several repositories as the full records do, over a log with something to count in each", async () => {
    const expected = await fromFacts(REPOS);
    expect(await store.metrics(REPOS, WINDOW)).toStrictEqual(expected);
    expect(expected.hotfixes).toBeGreaterThan(expected.merged);
    expect(expected.bypassed.count).toBeGreaterThan(0);
    expect(expected.justified.count).toBeGreaterThan(0);
    expect(expected.notFullyVerified).toBeGreaterThan(0);
    expect(expected.mergeBacksOverdue).toBeGreaterThan(0);
    expect(expected.mergeBackLag.medianMs).not.toBeNull();
    expect(expected.postMortemsOnTime.count).toBeGreaterThan(0);
    expect(expected.postMortemsOnTime.count).toBeLessThan(expected.postMortemsOnTime.of);
    expect(expected.postMortemsSkipped + expected.postMortemsOverdue).toBeGreaterThan(0);
    expect(expected.repeatIncidents.map((group) => group.reason)).toStrictEqual(expect.arrayContaining(["incident-reference", "same-files"]));
    expect(expected.qualityEscapes.map((escape) => escape.kind)).toStrictEqual(expect.arrayContaining(["reverted", "named-by-later-hotfix"]));
    expect(expected.overScope.length).toBeGreaterThan(0);
  });

  it("gives each repository's metrics, and the gauges' per-repository metrics, as the full records do", async () => {
    for (const repo of REPOS) expect(await store.metrics(repo, WINDOW)).toStrictEqual(await fromFacts([repo]));
    const perRepository = await store.metricsPerRepository(WINDOW);
    expect(perRepository.map((metrics) => metrics.repos[0]).sort()).toStrictEqual(["Acme/API", "acme/api", "acme/payments", "acme/web"]);
    for (const metrics of perRepository) expect(metrics).toStrictEqual(await fromFacts(metrics.repos, true));
  });

  it("summarises the records written before the summary existed when the migration adds it", async () => {
    const expected = await fromFacts(REPOS);
    await db.query("ALTER TABLE hotfix_records DROP COLUMN metric_summary, DROP COLUMN history_summary");
    await db.query("DROP FUNCTION hotfix_metric_summary(integer, integer, jsonb, boolean)");
    await db.query("DROP TABLE hotfix_log_rows");
    await db.query("DROP FUNCTION hotfix_log_rows_copy() CASCADE");
    await db.query("DELETE FROM schema_migrations WHERE version IN (4, 8)");
    expect(await migrate(db)).toStrictEqual([4, 8]);
    expect(await store.metrics(REPOS, WINDOW)).toStrictEqual(expected);
  });
});
