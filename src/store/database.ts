/**
 * The database: PostgreSQL, either embedded (PGlite, a file-backed Postgres inside the process,
 * so `npm start` needs no server) or a real server through `pg` when `DATABASE_URL` is set. Both
 * speak the same SQL, so the rest of the app sees one interface and one dialect.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Something that runs SQL: the database, or a transaction of it. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** The database the app stores deliveries and timed jobs in. */
export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding a lock named `key` that every process sharing the database respects
   * (a PostgreSQL advisory lock). The embedded database has one process, so it needs none.
   */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the database is. */
export interface DatabaseOptions {
  /** A PostgreSQL connection string; when absent the embedded database is used. */
  readonly url?: string | undefined;
  /** The embedded database's directory; `memory://` for a throwaway in-memory one. */
  readonly dataDir?: string | undefined;
}

class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;
  constructor(private readonly db: PGlite) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(sql, [...params])).rows;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work({ query: async <Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, [...params])).rows }));
  }

  withLock<T>(_key: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  constructor(private readonly pool: pg.Pool) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, [...params])).rows as Row[];
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work({ query: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as Row[] });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
      try {
        return await work();
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
      }
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Opens the database: PostgreSQL at `url`, else PGlite in `dataDir` (default `./data`). */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    await pool.query("SELECT 1");
    return new PostgresDatabase(pool);
  }
  const dataDir = options.dataDir ?? "./data";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  return new PgliteDatabase(await PGlite.create(dataDir));
}
