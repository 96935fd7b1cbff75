/**
 * The embedded database runs no autovacuum, so the prune pass reclaims the space itself: without
 * it every pruned delivery's bytes stayed in the jobs table for good and the table only grew.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { BACKENDS, HOOK_TIMEOUT_MS } from "../helpers/databases.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const DELIVERIES = 300;
const BODY = JSON.stringify({ action: "opened", filler: randomBytes(3 * 1024).toString("base64") });

const pglite = BACKENDS.filter((backend) => backend.name === "PGlite");

describe.each(pglite)("reclaiming pruned space on $name", (backend) => {
  let db: Database;

  beforeAll(async () => {
    db = await backend.open();
  }, HOOK_TIMEOUT_MS);
  afterAll(() => backend.dispose(db), HOOK_TIMEOUT_MS);

  async function storeAndFinish(queue: JobQueue, round: number): Promise<void> {
    await Promise.all(Array.from({ length: DELIVERIES }, (_, i) => queue.enqueueDelivery({ id: `r${round}-${i}`, name: "pull_request", body: BODY }, T0)));
    await db.query("UPDATE jobs SET status = 'done', finished_at = $1", [T0]);
  }

  const tableBytes = async () => Number((await db.query<{ bytes: string }>("SELECT pg_total_relation_size('jobs') AS bytes"))[0]?.bytes);

  it("reuses the space of pruned deliveries, so a steady flow of deliveries does not grow the table, and gives the planner statistics", async () => {
    const queue = new JobQueue(db);
    await storeAndFinish(queue, 1);
    const afterFirst = await tableBytes();

    for (let round = 2; round <= 4; round += 1) {
      await queue.prune(new Date(T0.getTime() + 1));
      await db.reclaimSpace();
      await storeAndFinish(queue, round);
    }

    expect(await tableBytes()).toBeLessThanOrEqual(afterFirst * 1.25);
    // reltuples is -1 until a table has been analysed; the embedded database never analyses by itself.
    const [stats] = await db.query<{ tuples: number }>("SELECT reltuples::float8 AS tuples FROM pg_class WHERE relname = 'jobs'");
    expect(stats?.tuples).toBeGreaterThanOrEqual(0);
  });
});
