/**
 * The database: PostgreSQL, either embedded (PGlite, a file-backed Postgres inside the process,
 * so `npm start` needs no server) or a real server through `pg` when `DATABASE_URL` is set. Both
 * speak the same SQL, so the rest of the app sees one interface and one dialect.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { lockDataDir } from "./data-dir-lock.js";
import { compileWasmInOneTask, honourFsync, pgliteStartParams, readTemplate, templateStream, unpackDataDir } from "./pglite-setup.js";

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
  /**
   * Makes the space of deleted and updated rows reusable and refreshes the planner's statistics
   * where nothing else does: the embedded database runs no autovacuum (a single-user PostgreSQL),
   * so without this its tables only grow and its plans guess. A server's autovacuum does it there.
   */
  reclaimSpace(): Promise<void>;
  close(): Promise<void>;
}

/** Where the database is. */
export interface DatabaseOptions {
  /** A PostgreSQL connection string; when absent the embedded database is used. */
  readonly url?: string | undefined;
  /** The embedded database's directory; `memory://` for a throwaway in-memory one. */
  readonly dataDir?: string | undefined;
  /**
   * Receives the connection errors the app survives (the server restarted, the network dropped
   * an idle or lock-holding connection). Without a listener `pg` would crash the process.
   */
  readonly onConnectionError?: ((error: Error) => void) | undefined;
  /** Told what opening the embedded database did that takes time (a fresh directory's set-up). */
  readonly onNotice?: ((message: string) => void) | undefined;
}

/** How long opening a connection to PostgreSQL may take before the query fails. */
const CONNECT_TIMEOUT_MS = 5_000;

class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;
  constructor(
    private readonly db: PGlite,
    private readonly unlock: () => void,
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(sql, [...params])).rows;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work({ query: async <Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, [...params])).rows }));
  }

  withLock<T>(_key: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async reclaimSpace(): Promise<void> {
    await this.db.exec("VACUUM (ANALYZE)");
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.unlock();
    }
  }
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  constructor(
    private readonly pool: pg.Pool,
    private readonly onConnectionError: (error: Error) => void,
  ) {}

  /** A client of its own; a connection error while it is held is reported, not thrown at the process. */
  private async checkout(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on("error", this.onConnectionError);
    return client;
  }

  /** Returns the client; one that failed is destroyed rather than reused. */
  private checkin(client: pg.PoolClient, failed: Error | undefined): void {
    client.removeListener("error", this.onConnectionError);
    client.release(failed);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, [...params])).rows as Row[];
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    let failed: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work({ query: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as Row[] });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      failed = error as Error;
      // A connection that broke mid-transaction cannot roll back; the server rolls back for it.
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      this.checkin(client, failed);
    }
  }

  async reclaimSpace(): Promise<void> {
    // The server's autovacuum does it.
  }

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const client = await this.checkout();
    let failed: Error | undefined;
    try {
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
      const result = await work();
      try {
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
      } catch (error) {
        // The connection broke: the server released the session's lock with it, and the work is done.
        failed = error as Error;
      }
      return result;
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      this.checkin(client, failed);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Opens the database: PostgreSQL at `url`, else PGlite in `dataDir` (default `./data`). The
 * embedded database's directory is locked for this process first: a second process gets a
 * `DataDirLockedError` naming the directory and the holder's pid. A fresh directory is filled from
 * the data directory template, and PGlite runs light and with real fsyncs (`pglite-setup.ts`).
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) {
    const onConnectionError = options.onConnectionError ?? ((error: Error) => console.error(`database connection error: ${error.message}`));
    const pool = new pg.Pool({ connectionString: options.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on("error", onConnectionError);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresDatabase(pool, onConnectionError);
  }
  const dataDir = options.dataDir ?? "./data";
  const notice = options.onNotice ?? ((message: string) => console.info(message));
  const startParams = pgliteStartParams();
  compileWasmInOneTask();
  if (dataDir.startsWith("memory://")) {
    const template = readTemplate();
    return new PgliteDatabase(await PGlite.create(dataDir, { startParams, ...(template ? { loadDataDir: new Blob([template]) } : {}) }), () => undefined);
  }
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      const template = templateStream();
      if (template) await unpackDataDir(template, dataDir);
      else notice(`initialising the embedded database in ${dataDir} (no data directory template for this PGlite version: this takes a while and much memory once)`);
    }
    const db = await PGlite.create(dataDir, { startParams });
    honourFsync(db);
    return new PgliteDatabase(db, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}
