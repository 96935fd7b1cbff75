/**
 * The hotfix log in the database (PGlite or PostgreSQL, the same SQL): records, their timelines
 * and each repository's metrics settings. Writing a fact set and its event is one statement: the
 * record is created with the next `HOTFIX-NNN` of its repository or its facts are merged (newest
 * own time wins per fact), and the event is inserted under its natural key
 * `(repository, pull request, kind, subject)`, so a redelivered, reordered or backfilled event is
 * recorded once and the timeline is ordered by the events' own times. Reading implements
 * {@link HotfixLogReader}: the list, one hotfix with its timeline, metrics and exports; a window's
 * metrics read each record's compact summary (migration 4), not its whole fact set.
 */
import type { Queryable } from "../store/database.js";
import { DEFAULT_METRICS_SETTINGS, hotfixMetrics, logMetrics, type MetricsSettings } from "../rules/hotfix-metrics.js";
import { csvExport, markdownExport } from "./export.js";
import { sequenceOf, summaryRecord, toRecord, type EventInput, type FactSet, type MetricSummary, type StoredRecord } from "./facts.js";
import type { ReminderState } from "../model/merge-back.js";
import { readReminderState } from "../model/records.js";
import type { ExportOptions, HotfixDetail, HotfixLogReader, HotfixRecord, LogExport, LogFilter, LogMetrics, LogPage, MetricsRecord, MetricsWindow, PageRequest, RecordSource, RepoName, TimelineEvent } from "./model.js";

/** A page holds at most this many records. */
export const MAX_PER_PAGE = 100;
/** Repeats and quality escapes look back this far before a window's start. */
const HISTORY_BEFORE_WINDOW_MS = 180 * 24 * 3_600_000;
/**
 * Records this long before a window's start are read with their whole summary too: the store
 * selects by the database's reading of a record's time, the metrics by JavaScript's, and for a
 * time written without a zone the two can differ by the zone's offset.
 */
const SUMMARY_MARGIN_MS = 2 * 24 * 3_600_000;
/** Two recorders allocating an id in one repository at once: the loser retries this often. */
const ALLOCATION_ATTEMPTS = 5;

/** A fact set to merge into the record of one pull request, with the event it came with. */
export interface RecordChange {
  readonly repo: RepoName;
  readonly pullRequest: number;
  readonly facts: FactSet;
  readonly event?: EventInput;
  readonly source: Exclude<RecordSource, "both">;
}

/** A hotfix's merge-back state as the log keeps it, with its reminder issue (null: none opened, as in evaluate mode). */
export interface StoredMergeBack {
  readonly state: ReminderState;
  readonly reminder: number | null;
}

/** How to find an existing record when the event does not name its pull request. */
export type RecordLookup =
  | { readonly by: "merge-sha"; readonly sha: string }
  | { readonly by: "tag"; readonly name: string }
  | { readonly by: "post-incident-issue"; readonly number: number }
  | { readonly by: "pull-request"; readonly number: number };

/** The outcome of a write: the record's id (null when no record matched) and whether the event was new. */
export interface RecordOutcome {
  readonly ids: readonly string[];
  readonly eventRecorded: boolean;
}

interface RecordRow {
  repo: string;
  pr: number;
  seq: number;
  facts: FactSet | string;
  source: RecordSource;
  updated_at: Date | string;
}

interface EventRow {
  kind: TimelineEvent["kind"];
  subject: string;
  at: Date | string;
  actor: string | null;
  detail: string;
  url: string | null;
}

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

function storedRecord(row: RecordRow): StoredRecord {
  return { repo: row.repo, pr: Number(row.pr), seq: Number(row.seq), facts: typeof row.facts === "string" ? (JSON.parse(row.facts) as FactSet) : row.facts, source: row.source, updatedAt: iso(row.updated_at) };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "23505";
}

function repoKey(repo: string): string {
  return repo.toLowerCase();
}

const RECORD_COLUMNS = "repo, pr, seq, facts, source, updated_at";

/** The event's columns as parameters from `$start` on. */
function eventValues(start: number): string {
  const [kind, subject, at, actor, detail, url] = [0, 1, 2, 3, 4, 5].map((offset) => `$${start + offset}`);
  return `${kind}::text, ${subject}::text, ${at}::timestamptz, ${actor}::text, ${detail}::text, ${url}::text`;
}

function eventParams(event: EventInput | undefined): unknown[] {
  return event ? [event.kind, event.subject, event.at, event.actor, event.detail, event.url] : [null, null, null, null, null, null];
}

/** The hotfix log over a database. */
export class HotfixLogStore implements HotfixLogReader {
  constructor(
    private readonly db: Queryable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Merges the facts into the pull request's record, creating it with the repository's next id,
   * and records the event once. One statement; retried only when two new records of one
   * repository raced for the same id.
   */
  async record(change: RecordChange): Promise<RecordOutcome> {
    const params = [repoKey(change.repo), change.pullRequest, change.repo, JSON.stringify(change.facts), change.source, this.now(), ...eventParams(change.event)];
    for (let attempt = 1; ; attempt += 1) {
      try {
        const [row] = await this.db.query<{ seq: number; inserted: number }>(
          `WITH rec AS (
             INSERT INTO hotfix_records AS r (repo_key, pr, seq, repo, facts, source, updated_at)
             VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM hotfix_records WHERE repo_key = $1), $3, $4::jsonb, $5, $6)
             ON CONFLICT (repo_key, pr) DO UPDATE SET
               facts = hotfix_merge_facts(r.facts, EXCLUDED.facts),
               source = CASE WHEN r.source = EXCLUDED.source THEN r.source ELSE 'both' END,
               updated_at = EXCLUDED.updated_at
             RETURNING seq
           ), ev AS (
             INSERT INTO hotfix_events (repo_key, pr, kind, subject, at, actor, detail, url)
             SELECT $1, $2, ${eventValues(7)} WHERE $7::text IS NOT NULL
             ON CONFLICT DO NOTHING RETURNING 1
           )
           SELECT (SELECT seq FROM rec) AS seq, (SELECT count(*)::int FROM ev) AS inserted`,
          params,
        );
        return { ids: row ? [`HOTFIX-${String(row.seq).padStart(3, "0")}`] : [], eventRecorded: Number(row?.inserted ?? 0) > 0 };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= ALLOCATION_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Merges the facts into the existing records the lookup finds (none: nothing is written) and
   * records the event on each. One statement.
   */
  async recordExisting(repo: RepoName, lookup: RecordLookup, facts: FactSet, event?: EventInput): Promise<RecordOutcome> {
    const condition = {
      "merge-sha": "merge_sha = $2::text",
      tag: "facts -> 'tag' -> 'v' ->> 'name' = $2::text",
      "post-incident-issue": "(facts -> '^postIncident' -> 'v' ->> 'number') = $2::text",
      "pull-request": "pr = $2::text::int",
    }[lookup.by];
    const key = lookup.by === "merge-sha" ? lookup.sha : lookup.by === "tag" ? lookup.name : String(lookup.number);
    return this.updateWhere(repo, condition, key, facts, event);
  }

  /**
   * Marks deployed, once, the merged records of the repository a successful production deployment
   * carries: the one whose merge commit was deployed, and those merged into the deployed branch
   * before the deployment. One statement.
   */
  async recordDeployment(repo: RepoName, deployment: { readonly id: number; readonly sha: string; readonly ref: string; readonly at: string }, facts: FactSet, event: EventInput): Promise<RecordOutcome> {
    await this.db.query(
      `INSERT INTO hotfix_deployments (repo_key, id, sha, ref, at, facts, actor, detail, url) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [repoKey(repo), deployment.id, deployment.sha, deployment.ref, deployment.at, JSON.stringify(facts), event.actor, event.detail, event.url],
    );
    const condition = `(facts -> '^deployedAt') IS NULL AND merge_sha IS NOT NULL AND (merge_sha = $2::text OR (facts -> 'baseRef' ->> 'v' = $11::text AND hotfix_fact_time(facts, 'mergedAt') <= $12::timestamptz))`;
    return this.updateWhere(repo, condition, deployment.sha, facts, event, [deployment.ref, deployment.at]);
  }

  /**
   * Applies to a merged record the earliest production deployment recorded before it merged or
   * before the log heard of the merge (deliveries arrive in any order). One statement.
   */
  async applyRecordedDeployments(repo: RepoName, pullRequest: number): Promise<boolean> {
    const rows = await this.db.query(
      `WITH d AS (
         SELECT d.* FROM hotfix_deployments d JOIN hotfix_records r ON r.repo_key = d.repo_key
         WHERE r.repo_key = $1 AND r.pr = $2 AND r.merge_sha IS NOT NULL AND (r.facts -> '^deployedAt') IS NULL
           AND (d.sha = r.merge_sha OR (d.ref = r.facts -> 'baseRef' ->> 'v' AND d.at >= hotfix_fact_time(r.facts, 'mergedAt')))
         ORDER BY d.at LIMIT 1
       ), upd AS (
         UPDATE hotfix_records r SET facts = hotfix_merge_facts(r.facts, d.facts), updated_at = $3 FROM d WHERE r.repo_key = $1 AND r.pr = $2 RETURNING r.seq
       ), ev AS (
         INSERT INTO hotfix_events (repo_key, pr, kind, subject, at, actor, detail, url)
         SELECT $1, $2, 'deployed', d.id::text, d.at, d.actor, d.detail, d.url FROM d ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT seq FROM upd`,
      [repoKey(repo), pullRequest, this.now()],
    );
    return rows.length > 0;
  }

  private async updateWhere(repo: RepoName, condition: string, key: string, facts: FactSet, event: EventInput | undefined, extra: readonly unknown[] = []): Promise<RecordOutcome> {
    const rows = await this.db.query<{ seq: number; inserted: number }>(
      `WITH target AS (
         SELECT repo_key, pr FROM hotfix_records WHERE repo_key = $1 AND ${condition} FOR UPDATE
       ), upd AS (
         UPDATE hotfix_records r SET facts = hotfix_merge_facts(r.facts, $3::jsonb), updated_at = $4
         FROM target WHERE r.repo_key = target.repo_key AND r.pr = target.pr RETURNING r.seq
       ), ev AS (
         INSERT INTO hotfix_events (repo_key, pr, kind, subject, at, actor, detail, url)
         SELECT target.repo_key, target.pr, ${eventValues(5)} FROM target WHERE $5::text IS NOT NULL
         ON CONFLICT DO NOTHING RETURNING 1
       )
       SELECT upd.seq, (SELECT count(*)::int FROM ev) AS inserted FROM upd`,
      [repoKey(repo), key, JSON.stringify(facts), this.now(), ...eventParams(event), ...extra],
    );
    return { ids: rows.map((row) => `HOTFIX-${String(row.seq).padStart(3, "0")}`), eventRecorded: rows.some((row) => Number(row.inserted) > 0) };
  }

  /** Records a hotfix branch's creation; it joins the timeline of the pull request from that branch. */
  async recordBranch(repo: RepoName, branch: string, at: string, actor: string | null): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO hotfix_events (repo_key, pr, kind, subject, at, actor, detail, url) VALUES ($1, 0, 'branch-created', $2, $3, $4, $5, NULL)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [repoKey(repo), branch, at, actor, `branch ${branch} created`],
    );
    return rows.length === 1;
  }

  /** Keeps the repository's metrics settings, from its configuration as last read. */
  async saveSettings(repo: RepoName, settings: MetricsSettings): Promise<void> {
    await this.db.query(
      `INSERT INTO hotfix_settings (repo_key, settings, updated_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (repo_key) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at
       WHERE hotfix_settings.settings IS DISTINCT FROM EXCLUDED.settings`,
      [repoKey(repo), JSON.stringify(settings), this.now()],
    );
  }

  /** Each repository's settings, the seeds' defaults for those the log has not seen configured. */
  async settings(repos: readonly RepoName[]): Promise<(repo: RepoName) => MetricsSettings> {
    const rows = await this.db.query<{ repo_key: string; settings: MetricsSettings | string }>("SELECT repo_key, settings FROM hotfix_settings WHERE repo_key = ANY($1::text[])", [repos.map(repoKey)]);
    const found = new Map(rows.map((row) => [row.repo_key, typeof row.settings === "string" ? (JSON.parse(row.settings) as MetricsSettings) : row.settings]));
    return (repo) => found.get(repoKey(repo)) ?? DEFAULT_METRICS_SETTINGS;
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────────────

  /** Records matching the filter, newest first, with the total. */
  async list(filter: LogFilter, page: PageRequest): Promise<LogPage> {
    if (filter.repos.length === 0) return { records: [], total: 0 };
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(page.perPage)));
    const offset = (Math.max(1, Math.floor(page.page)) - 1) * perPage;
    const where = `repo_key = ANY($1::text[]) AND ($2::text IS NULL OR severity = upper($2::text)) AND ($3::text IS NULL OR verdict = $3::text) AND ($4::boolean IS NULL OR open_follow_ups = $4::boolean)`;
    const params = [filter.repos.map(repoKey), filter.severity ?? null, filter.verdict ?? null, filter.openFollowUps ?? null];
    const [rows, counted] = await Promise.all([
      this.db.query<RecordRow>(
        `WITH page AS (SELECT repo_key, pr, date_time AS listed_at, seq AS listed_seq FROM hotfix_log_rows WHERE ${where} ORDER BY date_time DESC NULLS LAST, repo_key, seq DESC LIMIT $5 OFFSET $6)
         SELECT ${RECORD_COLUMNS} FROM page JOIN hotfix_records USING (repo_key, pr) ORDER BY listed_at DESC NULLS LAST, repo_key, listed_seq DESC`,
        [...params, perPage, offset],
      ),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hotfix_log_rows WHERE ${where}`, params),
    ]);
    return { records: rows.map((row) => toRecord(storedRecord(row))), total: Number(counted[0]?.n ?? 0) };
  }

  /** One record with its timeline (oldest first, by the events' own times) and its metrics. */
  async get(repo: RepoName, id: string): Promise<HotfixDetail | null> {
    const seq = sequenceOf(id);
    if (seq === null) return null;
    const [row] = await this.db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM hotfix_records WHERE repo_key = $1 AND seq = $2`, [repoKey(repo), seq]);
    if (!row) return null;
    const record = toRecord(storedRecord(row));
    const events = await this.db.query<EventRow>(
      `SELECT kind, subject, at, actor, detail, url FROM hotfix_events
       WHERE repo_key = $1 AND (pr = $2 OR (pr = 0 AND kind = 'branch-created' AND subject = $3 AND at <= coalesce($4::timestamptz, at)))
       ORDER BY at, kind, subject`,
      [repoKey(repo), record.pullRequest, record.headRef, record.mergedAt],
    );
    const timeline = events.map((event) => ({ kind: event.kind, subject: event.subject, at: iso(event.at), actor: event.actor, detail: event.detail, url: event.url }));
    const settingsFor = await this.settings([repo]);
    return { record, timeline, metrics: hotfixMetrics(record, settingsFor(repo), this.now()) };
  }

  /** The record of a hotfix pull request, or null when the log has none. */
  async byPullRequest(repo: RepoName, pullRequest: number): Promise<HotfixRecord | null> {
    const [row] = await this.db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM hotfix_records WHERE repo_key = $1 AND pr = $2`, [repoKey(repo), pullRequest]);
    return row ? toRecord(storedRecord(row)) : null;
  }

  /** The records of the repositories from before the window (for repeats and escapes) to its end. */
  private async history(repos: readonly RepoName[], window: MetricsWindow): Promise<HotfixRecord[]> {
    const since = new Date(Date.parse(window.since) - HISTORY_BEFORE_WINDOW_MS);
    const rows = await this.db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM hotfix_records WHERE repo_key = ANY($1::text[]) AND date_time >= $2 AND date_time < $3`, [repos.map(repoKey), since, window.until]);
    return rows.map((row) => toRecord(storedRecord(row)));
  }

  /**
   * What the metrics read of the same records as {@link history} (of every repository when
   * `repos` is null), from their summaries, one text per repository: the history summary of a
   * record from before the window, with a margin of {@link SUMMARY_MARGIN_MS} so that a record
   * the metrics find in the window always has its whole summary. Repositories in the order of
   * their names' code units (the database's collation may differ from one server to another).
   */
  private async metricsHistory(repos: readonly RepoName[] | null, window: MetricsWindow): Promise<MetricsRecord[]> {
    const start = Date.parse(window.since);
    const rows = await this.db.query<{ repo: string; summaries: string }>(
      `SELECT repo, string_agg(CASE WHEN date_time >= $3 THEN metric_summary ELSE history_summary END, ',') AS summaries FROM hotfix_log_rows
       WHERE date_time >= $1 AND date_time < $2 ${repos ? "AND repo_key = ANY($4::text[])" : ""}
       GROUP BY repo`,
      [new Date(start - HISTORY_BEFORE_WINDOW_MS), window.until, new Date(start - SUMMARY_MARGIN_MS), ...(repos ? [repos.map(repoKey)] : [])],
    );
    rows.sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0));
    return rows.flatMap((row) => (JSON.parse(`[${row.summaries}]`) as MetricSummary[]).map((summary) => summaryRecord(row.repo, summary)));
  }

  /** The metrics of one repository or several together over the window. */
  async metrics(repos: RepoName | readonly RepoName[], window: MetricsWindow): Promise<LogMetrics> {
    const list = typeof repos === "string" ? [repos] : [...repos];
    const [history, settingsFor] = await Promise.all([this.metricsHistory(list, window), this.settings(list)]);
    return logMetrics(history, list, window, settingsFor, this.now());
  }

  private async exportData(repos: readonly RepoName[], window: MetricsWindow): Promise<LogExport> {
    const [history, settingsFor] = await Promise.all([this.history(repos, window), this.settings(repos)]);
    const now = this.now();
    const inWindow = history
      .filter((record) => Date.parse(record.dateTime) >= Date.parse(window.since))
      .sort((a, b) => Date.parse(b.dateTime) - Date.parse(a.dateTime) || b.sequence - a.sequence);
    return {
      generatedAt: now.toISOString(),
      window,
      metrics: logMetrics(history, repos, window, settingsFor, now),
      hotfixes: inWindow.map((record) => ({ ...record, metrics: hotfixMetrics(record, settingsFor(record.repo), now) })),
    };
  }

  /** The log in seed 002's Markdown layout. */
  async exportMarkdown(repos: readonly RepoName[], window: MetricsWindow, options: ExportOptions = {}): Promise<string> {
    return markdownExport(await this.exportData(repos, window), options);
  }

  /** The records as CSV, one row per hotfix. */
  async exportCsv(repos: readonly RepoName[], window: MetricsWindow, options: ExportOptions = {}): Promise<string> {
    return csvExport(await this.exportData(repos, window), options);
  }

  /** The records, their metrics and the window's metrics as one JSON document. */
  exportJson(repos: readonly RepoName[], window: MetricsWindow): Promise<LogExport> {
    return this.exportData(repos, window);
  }

  /** The metrics of every repository with records, each on its own, from one read (for the gauges). */
  async metricsPerRepository(window: MetricsWindow): Promise<LogMetrics[]> {
    const byRepo = new Map<string, MetricsRecord[]>();
    for (const record of await this.metricsHistory(null, window)) {
      const list = byRepo.get(record.repo);
      if (list) list.push(record);
      else byRepo.set(record.repo, [record]);
    }
    const settingsFor = await this.settings([...byRepo.keys()]);
    const now = this.now();
    return [...byRepo].map(([repo, history]) => logMetrics(history, [repo], window, settingsFor, now));
  }
  // ── Merge-back states: the release guard's open hotfixes ─────────────────────────────────────

  /**
   * Keeps a hotfix's merge-back state, open while some target still lacks the fix. A state read
   * earlier never overwrites a newer one (by the time it was saved).
   */
  async saveMergeBackState(repo: RepoName, merged: StoredMergeBack, open: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO merge_back_states AS m (repo_key, pr, reminder, open, state, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (repo_key, pr) DO UPDATE SET reminder = coalesce(EXCLUDED.reminder, m.reminder), open = EXCLUDED.open, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
       WHERE m.updated_at <= EXCLUDED.updated_at`,
      [repoKey(repo), merged.state.hotfix.number, merged.reminder, open, JSON.stringify(merged.state), this.now()],
    );
  }

  /**
   * The hotfixes of the repository still open (merged into production, not yet in every target),
   * oldest first; null when the log does not hold the repository's open reminders (never synced,
   * or a state it could not save), so the caller must read them from GitHub. One query.
   */
  async openMergeBacks(repo: RepoName): Promise<StoredMergeBack[] | null> {
    const rows = await this.db.query<{ pr: number | null; reminder: number | null; state: unknown }>(
      `SELECT m.pr, m.reminder, m.state FROM merge_back_synced s LEFT JOIN merge_back_states m ON m.repo_key = s.repo_key AND m.open
       WHERE s.repo_key = $1 ORDER BY m.pr`,
      [repoKey(repo)],
    );
    if (rows.length === 0) return null;
    return rows.flatMap((row) => {
      const state = row.pr === null ? null : readReminderState(typeof row.state === "string" ? JSON.parse(row.state) : row.state);
      return state ? [{ state, reminder: row.reminder === null ? null : Number(row.reminder) }] : [];
    });
  }

  /**
   * Records the repository's open reminders as read from GitHub (those the log lacks are added,
   * newer saved states kept) and marks the repository synced, so later reads come from the log.
   * One statement.
   */
  async syncMergeBacks(repo: RepoName, open: readonly StoredMergeBack[]): Promise<void> {
    const items = open.map((item) => ({ pr: item.state.hotfix.number, reminder: item.reminder, state: item.state }));
    await this.db.query(
      `WITH added AS (
         INSERT INTO merge_back_states (repo_key, pr, reminder, open, state, updated_at)
         SELECT $1, i.pr, i.reminder, true, i.state, $3 FROM jsonb_to_recordset($2::jsonb) AS i(pr integer, reminder integer, state jsonb)
         ON CONFLICT (repo_key, pr) DO NOTHING RETURNING 1
       )
       INSERT INTO merge_back_synced (repo_key, synced_at) VALUES ($1, $3) ON CONFLICT (repo_key) DO UPDATE SET synced_at = EXCLUDED.synced_at`,
      [repoKey(repo), JSON.stringify(items), this.now()],
    );
  }

  /** Forgets that the repository is synced (a state could not be saved): its next read comes from GitHub again. */
  async unsyncMergeBacks(repo: RepoName): Promise<void> {
    await this.db.query("DELETE FROM merge_back_synced WHERE repo_key = $1", [repoKey(repo)]);
  }
}
