/**
 * The schema, as numbered migrations applied in order at start. Each runs once, inside a
 * transaction holding an advisory lock, so replicas starting together cannot apply one twice.
 * Migrations are append-only: a released one is never edited, a change is a new number.
 */
import type { Database } from "./database.js";

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** An arbitrary constant naming the migration lock. */
const MIGRATION_LOCK = 7_270_113;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs: webhook deliveries and timed jobs in one queue",
    sql: `
      CREATE TABLE jobs (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        run_at timestamptz NOT NULL,
        locked_by text,
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL,
        finished_at timestamptz
      );
      CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status IN ('pending', 'running');
      CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('done', 'failed');
    `,
  },
  {
    version: 2,
    name: "jobs: keys unique per kind, revivals and poisoned payloads; maintenance passes",
    sql: `
      ALTER TABLE jobs DROP CONSTRAINT jobs_key_key;
      ALTER TABLE jobs ADD CONSTRAINT jobs_kind_key_key UNIQUE (kind, key);
      ALTER TABLE jobs ADD COLUMN revivals integer NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN poisoned boolean NOT NULL DEFAULT false;
      CREATE TABLE maintenance_passes (
        name text PRIMARY KEY,
        holder text NOT NULL,
        started_at timestamptz NOT NULL
      )
    `,
  },
  {
    version: 3,
    name: "hotfix log: one record per hotfix with timestamped facts, its timeline, per-repository settings",
    // Facts are `{ "name": { "v": value, "t": epoch ms } }`: merging keeps, per name, the fact with
    // the newest own time (`^`-prefixed names: the oldest), so redelivered, reordered and
    // backfilled facts converge. The derived columns serve the log's filters and ordering; the
    // ISO times are written by the app with an offset, so reading them does not depend on settings.
    sql: `
      CREATE OR REPLACE FUNCTION hotfix_merge_facts(old jsonb, new jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT old || coalesce((SELECT jsonb_object_agg(n.key, n.value) FROM jsonb_each(new) n
          WHERE old -> n.key IS NULL
             OR (left(n.key, 1) = '^' AND (n.value ->> 't')::float8 < (old -> n.key ->> 't')::float8)
             OR (left(n.key, 1) <> '^' AND (n.value ->> 't')::float8 >= (old -> n.key ->> 't')::float8)), '{}'::jsonb)
      $$;
      CREATE OR REPLACE FUNCTION hotfix_fact_time(facts jsonb, name text) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
        SELECT (facts -> name ->> 'v')::timestamptz
      $$;
      CREATE OR REPLACE FUNCTION hotfix_open_follow_ups(facts jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT (facts -> 'mergedAt' ->> 'v') IS NOT NULL AND (
          EXISTS (SELECT 1 FROM jsonb_each(facts) e WHERE left(e.key, 10) = 'mergeBack:' AND (e.value -> 'v' ->> 'doneAt') IS NULL)
          OR ((facts -> '^postIncident' ->> 'v') IS NOT NULL AND (facts -> 'postIncidentClosedAt' ->> 'v') IS NULL))
      $$;
      CREATE TABLE hotfix_records (
        repo_key text NOT NULL,
        pr integer NOT NULL,
        seq integer NOT NULL,
        repo text NOT NULL,
        facts jsonb NOT NULL,
        source text NOT NULL CHECK (source IN ('live', 'backfill', 'both')),
        updated_at timestamptz NOT NULL,
        date_time timestamptz GENERATED ALWAYS AS (coalesce(hotfix_fact_time(facts, 'incidentAt'), hotfix_fact_time(facts, 'openedAt'), hotfix_fact_time(facts, 'mergedAt'))) STORED,
        severity text GENERATED ALWAYS AS (upper(facts -> 'severity' ->> 'v')) STORED,
        verdict text GENERATED ALWAYS AS (facts -> 'audit' -> 'v' ->> 'verdict') STORED,
        open_follow_ups boolean GENERATED ALWAYS AS (hotfix_open_follow_ups(facts)) STORED,
        merge_sha text GENERATED ALWAYS AS (facts -> 'mergeSha' ->> 'v') STORED,
        PRIMARY KEY (repo_key, pr),
        UNIQUE (repo_key, seq)
      );
      CREATE INDEX hotfix_records_newest ON hotfix_records (repo_key, date_time DESC, seq DESC);
      CREATE INDEX hotfix_records_by_time ON hotfix_records (date_time DESC, repo_key, seq DESC);
      CREATE INDEX hotfix_records_merge_sha ON hotfix_records (repo_key, merge_sha) WHERE merge_sha IS NOT NULL;
      CREATE TABLE hotfix_events (
        repo_key text NOT NULL,
        pr integer NOT NULL,
        kind text NOT NULL,
        subject text NOT NULL,
        at timestamptz NOT NULL,
        actor text,
        detail text NOT NULL,
        url text,
        PRIMARY KEY (repo_key, pr, kind, subject)
      );
      CREATE TABLE hotfix_deployments (
        repo_key text NOT NULL,
        id bigint NOT NULL,
        sha text NOT NULL,
        ref text NOT NULL,
        at timestamptz NOT NULL,
        facts jsonb NOT NULL,
        actor text,
        detail text NOT NULL,
        url text,
        PRIMARY KEY (repo_key, id)
      );
      CREATE INDEX hotfix_deployments_at ON hotfix_deployments (repo_key, at);
      CREATE TABLE hotfix_settings (
        repo_key text PRIMARY KEY,
        settings jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )
    `,
  },
  {
    version: 4,
    name: "hotfix log: per-record summaries of the facts the window's metrics read",
    // A window's metrics read every record of the window and of the 180 days before it; reading
    // whole fact sets made that slow over many repositories. `metric_summary` keeps per record
    // only the values the metrics read, as a JSON array in a fixed order (`MetricSummary` in
    // `src/log/facts.ts` names the positions and decodes it); `history_summary` is its first part,
    // what repeats and escapes read of a record from before the window. Stored as text: the
    // metrics read them by the thousand, and text is returned as stored where jsonb is printed
    // anew. Values are copied as stored (the decoder reads them as the record does), so the
    // metrics from the summaries are those from the facts. Stored generated columns: every write
    // that changes the facts changes them, and adding them fills in the rows already there.
    sql: `
      CREATE OR REPLACE FUNCTION hotfix_metric_summary(pr integer, seq integer, facts jsonb, whole boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT (jsonb_build_array(
          pr,
          seq,
          facts -> 'incidentAt' -> 'v',
          facts -> 'openedAt' -> 'v',
          facts -> 'mergedAt' -> 'v',
          facts -> 'incidentReference' -> 'v',
          facts -> 'filesAffected' -> 'v',
          facts -> 'revertedBy' -> 'v') || CASE WHEN whole THEN jsonb_build_array(
          facts -> '^deployedAt' -> 'v',
          facts -> '^reviewRequestedAt' -> 'v',
          facts -> '^reviewAt' -> 'v',
          CASE WHEN jsonb_typeof(facts -> 'audit' -> 'v') <> 'null' THEN jsonb_build_array(facts -> 'audit' -> 'v' -> 'verdict') END,
          CASE WHEN facts -> '^postIncident' -> 'v' NOT IN ('null', 'false', '0', '""') THEN jsonb_build_array(facts -> '^postIncident' -> 'v' -> 'dueAt') END,
          facts -> 'postIncidentClosedAt' -> 'v',
          (SELECT jsonb_object_agg(substr(e.key, 11), jsonb_build_array(e.value -> 'v' -> 'doneAt', e.value -> 'v' -> 'timeKnown'))
            FROM jsonb_each(facts) e WHERE left(e.key, 10) = 'mergeBack:'),
          facts -> 'overScope' -> 'v',
          facts -> 'reverts' -> 'v',
          facts -> 'mentions' -> 'v') ELSE '[]'::jsonb END)::text
      $$;
      ALTER TABLE hotfix_records ADD COLUMN metric_summary text GENERATED ALWAYS AS (hotfix_metric_summary(pr, seq, facts, true)) STORED;
      ALTER TABLE hotfix_records ADD COLUMN history_summary text GENERATED ALWAYS AS (hotfix_metric_summary(pr, seq, facts, false)) STORED
    `,
  },
  {
    version: 5,
    name: "jobs: a delivery's payload kept as the raw text received",
    // The ingress stores the body as GitHub sent it (`payload` then holds only the event's name);
    // the worker parses it. Deliveries stored before keep their `jsonb` payload and no body.
    sql: `
      ALTER TABLE jobs ADD COLUMN body text
    `,
  },
  {
    version: 6,
    name: "notify_threads: the Slack message each hotfix's notifications thread under, per destination",
    sql: `
      CREATE TABLE notify_threads (
        destination text NOT NULL,
        repo_key text NOT NULL,
        pr integer NOT NULL,
        channel text NOT NULL,
        ts text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (destination, repo_key, pr)
      )
    `,
  },
  {
    version: 7,
    name: "notify_digest_routes: the destinations each repository routes weekly-digest to, as its configuration was last read",
    sql: `
      CREATE TABLE notify_digest_routes (
        repo_key text PRIMARY KEY,
        repo text NOT NULL,
        destinations jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )
    `,
  },
  {
    version: 8,
    name: "hotfix log: a narrow copy of each record's list and metrics columns, kept by trigger, ordered as the log lists",
    // The log's page, its count and a window's metrics read every record of many repositories.
    // Read from hotfix_records they visited its wide rows (the fact set, about 1.7 kB, and every
    // older version an update leaves behind until a vacuum, which the embedded database never
    // runs): 8,000 pages for 10,000 records. hotfix_log_rows holds per record only what those
    // reads use, copied by trigger from every insert and update (so every writer keeps it, as
    // the generated columns it copies are kept), about 400 bytes a row, half of each page left
    // free so that its updates stay on their page and need no vacuum. Its indexes are in the
    // log's order (newest first, undated last), so a page is read from an index with its limit.
    // The trigger's body is a string whose semicolons are written \073: the migration runner
    // splits statements at semicolons.
    sql: `
      CREATE TABLE hotfix_log_rows (
        repo_key text NOT NULL,
        pr integer NOT NULL,
        seq integer NOT NULL,
        repo text NOT NULL,
        date_time timestamptz,
        severity text,
        verdict text,
        open_follow_ups boolean,
        metric_summary text,
        history_summary text,
        PRIMARY KEY (repo_key, pr)
      ) WITH (fillfactor = 50);
      INSERT INTO hotfix_log_rows SELECT repo_key, pr, seq, repo, date_time, severity, verdict, open_follow_ups, metric_summary, history_summary FROM hotfix_records;
      CREATE INDEX hotfix_log_rows_newest ON hotfix_log_rows (date_time DESC NULLS LAST, repo_key, seq DESC);
      CREATE INDEX hotfix_log_rows_repo_newest ON hotfix_log_rows (repo_key, date_time DESC NULLS LAST, seq DESC);
      CREATE OR REPLACE FUNCTION hotfix_log_rows_copy() RETURNS trigger LANGUAGE plpgsql AS E'
        BEGIN
          IF TG_OP = ''TRUNCATE'' THEN
            TRUNCATE hotfix_log_rows\\073
          ELSIF TG_OP = ''DELETE'' THEN
            DELETE FROM hotfix_log_rows WHERE repo_key = OLD.repo_key AND pr = OLD.pr\\073
          ELSIF TG_OP = ''INSERT'' OR (OLD.seq, OLD.repo, OLD.date_time, OLD.severity, OLD.verdict, OLD.open_follow_ups, OLD.metric_summary, OLD.history_summary)
              IS DISTINCT FROM (NEW.seq, NEW.repo, NEW.date_time, NEW.severity, NEW.verdict, NEW.open_follow_ups, NEW.metric_summary, NEW.history_summary) THEN
            INSERT INTO hotfix_log_rows VALUES (NEW.repo_key, NEW.pr, NEW.seq, NEW.repo, NEW.date_time, NEW.severity, NEW.verdict, NEW.open_follow_ups, NEW.metric_summary, NEW.history_summary)
            ON CONFLICT (repo_key, pr) DO UPDATE SET seq = EXCLUDED.seq, repo = EXCLUDED.repo, date_time = EXCLUDED.date_time, severity = EXCLUDED.severity, verdict = EXCLUDED.verdict,
              open_follow_ups = EXCLUDED.open_follow_ups, metric_summary = EXCLUDED.metric_summary, history_summary = EXCLUDED.history_summary\\073
          END IF\\073
          RETURN NULL\\073
        END';
      CREATE TRIGGER hotfix_log_rows_copy AFTER INSERT OR UPDATE OR DELETE ON hotfix_records FOR EACH ROW EXECUTE FUNCTION hotfix_log_rows_copy();
      CREATE TRIGGER hotfix_log_rows_truncate AFTER TRUNCATE ON hotfix_records FOR EACH STATEMENT EXECUTE FUNCTION hotfix_log_rows_copy()
      `,
    },
    {
    version: 9,
    name: "merge_back_states: each hotfix's merge-back state (open until every target has it), the release guard's source of open hotfixes; merge_back_synced: the repositories whose open reminders it holds",
    sql: `
      CREATE TABLE merge_back_states (
        repo_key text NOT NULL,
        pr integer NOT NULL,
        reminder integer,
        open boolean NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (repo_key, pr)
      );
      CREATE INDEX merge_back_states_open ON merge_back_states (repo_key) WHERE open;
      CREATE TABLE merge_back_synced (
        repo_key text PRIMARY KEY,
        synced_at timestamptz NOT NULL
      )
    `,
  },
];

/**
 * Whether every migration up to `upTo` is applied, read without the lock or any DDL: the common
 * start, on a schema already up to date, then costs one query. Any doubt (no table yet) is false.
 */
async function upToDate(db: Database, upTo: number): Promise<boolean> {
  try {
    const applied = new Set((await db.query<{ version: number }>("SELECT version FROM schema_migrations")).map((row) => Number(row.version)));
    return MIGRATIONS.every((migration) => migration.version > upTo || applied.has(migration.version));
  } catch {
    return false;
  }
}

/**
 * Applies the migrations not applied yet, up to `upTo` (all by default; tests stop early to
 * check a later migration against rows written under an earlier schema); returns the versions it applied.
 */
export async function migrate(db: Database, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
  if (await upToDate(db, upTo)) return [];
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    const applied = new Set((await tx.query<{ version: number }>("SELECT version FROM schema_migrations")).map((row) => Number(row.version)));
    const pending = MIGRATIONS.filter((migration) => !applied.has(migration.version) && migration.version <= upTo);
    for (const migration of pending) {
      for (const statement of migration.sql.split(";").map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
    }
    return pending.map((migration) => migration.version);
  });
}
