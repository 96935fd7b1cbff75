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
];

/**
 * Applies the migrations not applied yet, up to `upTo` (all by default; tests stop early to
 * check a later migration against rows written under an earlier schema); returns the versions it applied.
 */
export async function migrate(db: Database, upTo = Number.POSITIVE_INFINITY): Promise<number[]> {
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
