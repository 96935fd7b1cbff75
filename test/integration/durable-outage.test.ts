/**
 * A PostgreSQL outage during a burst of deliveries, through a proxy the test cuts and restores
 * (the shared server is never stopped). The process must stay up (an unhandled `'error'` or
 * rejection fails the run), refuse with 503 what it could not store, report itself unready, and
 * once the database is back process every acknowledged delivery exactly once, without a restart.
 * Runs when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "../../src/store/database.js";
import { DELIVERY } from "../../src/store/jobs.js";
import { migrate } from "../../src/store/migrations.js";
import { FakeClock, HOOK_TIMEOUT_MS, scratchPostgres } from "../helpers/databases.js";
import { startDurableServer } from "../helpers/durable.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

const T0 = new Date("2026-11-23T15:00:00Z");

function gate(): { promise: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe.runIf(process.env.DATABASE_URL)("a PostgreSQL outage", () => {
  const server = new URL(process.env.DATABASE_URL ?? "postgres://127.0.0.1:5432");
  const proxy = new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  const connectionErrors: Error[] = [];
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    await proxy.start();
    const scratch = await scratchPostgres(`127.0.0.1:${proxy.port}`);
    drop = scratch.drop;
    db = await openDatabase({ url: scratch.url, onConnectionError: (error) => connectionErrors.push(error) });
    await migrate(db);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await db.close();
    await proxy.cut();
    await drop();
  }, HOOK_TIMEOUT_MS);

  it("keeps the process up through a burst, answers 503 for what it did not store, and processes every acknowledged delivery once after", async () => {
    const clock = new FakeClock(T0);
    const app = await startDurableServer(db, clock);
    const runs = new Map<string, number>();
    const inFlight = gate();
    app.runtime.worker.handle(DELIVERY, async (_payload, job) => {
      runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      if (job.key.startsWith("before-")) await inFlight.promise;
    });
    app.runtime.worker.handle("failing", async () => {
      await inFlight.promise;
      throw new Error("GitHub said no");
    });
    const send = async (id: string): Promise<[string, number]> => [id, (await app.deliver({ id, name: "ping", payload: { zen: id } })).status];
    const burst = (prefix: string) => Promise.all(Array.from({ length: 15 }, (_, i) => send(`${prefix}-${i}`)));

    await app.queue.schedule("failing", "failing-1", {}, clock.now(), clock.now());
    const before = await burst("before");
    const locked = db.withLock("acme/payments#42", () => inFlight.promise.then(() => "locked work done"));
    app.runtime.worker.start();
    await vi.waitFor(() => expect(runs.size).toBeGreaterThan(0), { timeout: 30_000 });

    await proxy.cut();
    const during = await burst("during");
    const readyDuring = (await fetch(`${app.url}/readyz`)).status;
    inFlight.open();
    expect(await locked).toBe("locked work done");
    await proxy.restore();
    const after = await burst("after");

    await vi.waitFor(async () => expect(await app.queue.stats(clock.now())).toMatchObject({ running: 0, pending: 1 }), { timeout: 60_000, interval: 250 });
    const acknowledged = [...before, ...during, ...after].filter(([, status]) => status === 202).map(([id]) => id);
    const stored = await db.query<{ key: string }>("SELECT key FROM jobs WHERE kind = $1", [DELIVERY]);

    expect(during.map(([, status]) => status)).toStrictEqual(Array.from({ length: 15 }, () => 503));
    expect(readyDuring).toBe(503);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    expect(acknowledged).toHaveLength(30);
    expect(stored.map((row) => row.key).sort()).toStrictEqual([...acknowledged].sort());
    expect(acknowledged.filter((id) => runs.get(id) !== 1)).toStrictEqual([]);
    expect(await app.queue.find("failing", "failing-1")).toMatchObject({ status: "pending", attempts: 1, lastError: "GitHub said no" });
    expect(connectionErrors.length).toBeGreaterThan(0);

    await app.runtime.worker.stop();
    await app.stop();
  }, 120_000);
});
