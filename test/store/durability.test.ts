/**
 * The embedded store's durability: a delivery is acknowledged only after PostgreSQL's WAL was
 * fsynced (PGlite's own file system would skip the fsync), nothing acknowledged is lost when the
 * process is killed, and a fresh data directory is set up from the template without initdb.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { migrate } from "../../src/store/migrations.js";
import { readTemplate } from "../../src/store/pglite-setup.js";
import { HOOK_TIMEOUT_MS } from "../helpers/databases.js";
import { spawnTs, type Child } from "../helpers/child-process.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const directories: string[] = [];
const children: Child[] = [];
afterAll(() => {
  for (const child of children) child.process.kill("SIGKILL");
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), "hotfix-guard-durability-"));
  directories.push(directory);
  return directory;
}

/** PGlite's Emscripten file system operations, reached through the instance the database wraps. */
function fileSystemOps(db: Database): { fsync: (stream: unknown) => void } {
  return (db as unknown as { db: { Module: { NODEFS: { stream_ops: { fsync: (stream: unknown) => void } } } } }).db.Module.NODEFS.stream_ops;
}

describe("the embedded store on disk", () => {
  it(
    "acknowledges deliveries only after an fsync, and sets a fresh directory up without initdb",
    async () => {
      expect(readTemplate()).not.toBeNull();
      const dataDir = join(scratch(), "data");
      const notices: string[] = [];
      const db = await openDatabase({ dataDir, onNotice: (message) => notices.push(message) });
      try {
        expect(notices).toStrictEqual([]);
        expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
        await migrate(db);
        const events: string[] = [];
        const ops = fileSystemOps(db);
        const fsync = ops.fsync;
        ops.fsync = (stream) => {
          events.push("fsync");
          fsync(stream);
        };
        const queue = new JobQueue(db);
        const stored = await Promise.all(
          ["d-1", "d-2", "d-3"].map((id) => queue.enqueueDelivery({ id, name: "push", payload: { ref: "refs/heads/main" } }, T0).then((result) => (events.push(`ack ${id}`), result))),
        );
        expect(stored).toStrictEqual([true, true, true]);
        expect(events[0]).toBe("fsync");
        expect(events.filter((event) => event.startsWith("ack"))).toHaveLength(3);
      } finally {
        await db.close();
      }
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    "loses no acknowledged delivery when the process is killed while storing more",
    async () => {
      const directory = scratch();
      const dataDir = join(directory, "data");
      const script = join(directory, "store-until-killed.mts");
      writeFileSync(
        script,
        `import { openDatabase } from ${JSON.stringify(resolve("src/store/database.ts"))};
import { JobQueue } from ${JSON.stringify(resolve("src/store/jobs.ts"))};
import { migrate } from ${JSON.stringify(resolve("src/store/migrations.ts"))};
const db = await openDatabase({ dataDir: process.env.DATA_DIR });
await migrate(db);
const queue = new JobQueue(db);
for (let round = 0; ; round += 1) {
  await Promise.all(Array.from({ length: 8 }, (_, i) => \`kill-\${round}-\${i}\`).map(async (id) => {
    if (await queue.enqueueDelivery({ id, name: "push", payload: { ref: "refs/heads/main", id } }, new Date())) console.log(\`acked \${id}\`);
  }));
}
`,
      );
      const child = spawnTs(script, { DATA_DIR: dataDir });
      children.push(child);
      await child.waitFor(/acked kill-5-7/);
      child.process.kill("SIGKILL");
      await child.exited;
      const acked = child.output().split("\n").flatMap((line) => /^acked (\S+)$/.exec(line)?.[1] ?? []);

      const db = await openDatabase({ dataDir });
      try {
        const queue = new JobQueue(db);
        const missing: string[] = [];
        for (const id of acked) if (!(await queue.hasDelivery(id))) missing.push(id);
        expect(acked.length).toBeGreaterThanOrEqual(48);
        expect(missing).toStrictEqual([]);
        expect((await queue.findDelivery("kill-2-3"))?.payload).toStrictEqual({ name: "push", payload: { ref: "refs/heads/main", id: "kill-2-3" } });
      } finally {
        await db.close();
      }
    },
    HOOK_TIMEOUT_MS * 2,
  );
});
