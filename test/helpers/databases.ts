/**
 * The databases store tests run on: the embedded PGlite always, and a real PostgreSQL server
 * whenever `DATABASE_URL` is set (CI sets it). Each test file gets its own scratch database on
 * the server, since vitest runs files in parallel; PGlite runs in memory, one instance per file,
 * opened in a `beforeAll` with {@link HOOK_TIMEOUT_MS} (its start-up takes 5–15 s on a loaded machine).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";

/** A database backend for `describe.each`. */
export interface Backend {
  readonly name: string;
  /** Opens a fresh, migrated database. */
  open(): Promise<Database>;
  /** Closes it and drops what was created. */
  dispose(db: Database): Promise<void>;
}

/** The timeout of hooks that open or close a database: generous, since a loaded machine is slow. */
export const HOOK_TIMEOUT_MS = 120_000;

const drops = new WeakMap<Database, () => Promise<void>>();

function serverUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL as string);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const pglite: Backend = {
  name: "PGlite",
  async open() {
    const db = await openDatabase({ dataDir: "memory://" });
    await migrate(db);
    return db;
  },
  dispose: (db) => db.close(),
};

/** A scratch database on the `DATABASE_URL` server: its URL (with the host and port given, e.g. a proxy's) and how to drop it. */
export async function scratchPostgres(host?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hotfix_guard_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl(name));
  if (host) url.host = host;
  return { url: url.toString(), drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

const postgres: Backend = {
  name: "PostgreSQL",
  async open() {
    const { url, drop } = await scratchPostgres();
    const db = await openDatabase({ url });
    await migrate(db);
    drops.set(db, drop);
    return db;
  },
  async dispose(db) {
    await db.close();
    await drops.get(db)?.();
  },
};

/** PGlite, plus PostgreSQL when `DATABASE_URL` is set. */
export const BACKENDS: readonly Backend[] = process.env.DATABASE_URL ? [pglite, postgres] : [pglite];

/** Empties the tables between tests. */
export async function resetTables(db: Database): Promise<void> {
  await db.query("TRUNCATE jobs, maintenance_passes RESTART IDENTITY");
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(private current: Date) {}
  readonly now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
