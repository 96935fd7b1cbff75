/**
 * The runtime across real process boundaries: a second process refused on a data directory the
 * first one holds (and let in once the holder was killed), a worker killed with SIGKILL mid-job
 * whose job another worker resumes after the short lease, and SIGTERM while a job hangs on an
 * unreachable GitHub: the service exits 0 promptly and the released job is completed elsewhere.
 * Measured times are printed for the notes, never asserted beyond generous bounds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Metrics } from "../../src/server/metrics.js";
import { Worker } from "../../src/server/worker.js";
import { DataDirLockedError } from "../../src/store/data-dir-lock.js";
import { openDatabase } from "../../src/store/database.js";
import { DELIVERY, JobQueue } from "../../src/store/jobs.js";
import { migrate } from "../../src/store/migrations.js";
import { freePort, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { spawnTs, type Child } from "../helpers/child-process.js";
import { scratchPostgres } from "../helpers/databases.js";
import { pullRequestEvent } from "../helpers/fixtures.js";

const CHILDREN = resolve("test/helpers/children");
const MAIN = resolve("src/main.ts");
const PROCESS_TEST_TIMEOUT_MS = 240_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

const children: Child[] = [];
const directories: string[] = [];
afterAll(() => {
  for (const child of children) child.process.kill("SIGKILL");
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function scratchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "hotfix-guard-"));
  directories.push(directory);
  return directory;
}

describe("two processes on one embedded database", () => {
  it(
    "refuses the second with the directory and the holder's pid, and lets it in once the holder is gone",
    async () => {
      const dataDir = join(scratchDirectory(), "data");
      const holder = spawnTs(join(CHILDREN, "hold-data-dir.ts"), { DATA_DIR: dataDir });
      children.push(holder);
      await holder.waitFor(/holding the data directory/);

      const refused = await openDatabase({ dataDir }).then(
        async (db) => {
          await db.close();
          return null;
        },
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DataDirLockedError);
      expect((refused as Error).message).toContain(`The data directory ${dataDir} is in use by process ${holder.pid}`);
      const second = spawnTs(MAIN, { APP_ID: "1234", PRIVATE_KEY: TEST_PROBOT_OPTIONS.privateKey, WEBHOOK_SECRET: "s", DATA_DIR: dataDir, DATABASE_URL: "", PORT: String(await freePort()) }, scratchDirectory());
      children.push(second);
      expect(await second.exited).toStrictEqual({ code: 1, signal: null });
      expect(second.output()).toContain(`The data directory ${dataDir} is in use by process ${holder.pid}`);

      holder.process.kill("SIGKILL");
      await holder.exited;
      const db = await openDatabase({ dataDir });
      await migrate(db);
      await db.close();
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});

describe.runIf(process.env.DATABASE_URL)("a worker killed with SIGKILL mid-job", () => {
  it(
    "has its job resumed by another worker once the short lease runs out, run once more and completed",
    async () => {
      const { url, drop } = await scratchPostgres();
      const db = await openDatabase({ url });
      try {
        await migrate(db);
        const queue = new JobQueue(db);
        await queue.schedule("hang", "hang-1", {}, new Date(), new Date());
        const doomed = spawnTs(join(CHILDREN, "hanging-worker.ts"), { DATABASE_URL: url });
        children.push(doomed);
        await doomed.waitFor(/started hang-1/);
        doomed.process.kill("SIGKILL");
        await doomed.exited;
        const killedAt = Date.now();

        let resumedAt = 0;
        const survivor = new Worker({ queue, probot: {} as never, metrics: new Metrics(), log: quiet, now: () => new Date(), pollMs: 200 });
        survivor.handle("hang", async () => {
          resumedAt = Date.now();
        });
        survivor.start();
        await vi.waitFor(async () => expect(await queue.find("hang", "hang-1")).toMatchObject({ status: "done" }), { timeout: 120_000, interval: 250 });
        await survivor.stop();

        const resumeSeconds = (resumedAt - killedAt) / 1000;
        console.info(`resume after SIGKILL: ${resumeSeconds.toFixed(1)} s`);
        expect(resumeSeconds).toBeLessThan(90);
        expect(await queue.find("hang", "hang-1")).toMatchObject({ status: "done", attempts: 2 });
      } finally {
        await db.close();
        await drop();
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});

describe("SIGTERM while a job hangs on an unreachable GitHub", () => {
  it(
    "exits 0 promptly, logging what it did, and the released job is completed by another worker",
    async () => {
      const hung: net.Socket[] = [];
      const github = net.createServer((socket) => hung.push(socket));
      await new Promise<void>((ready) => github.listen(0, "127.0.0.1", ready));
      const githubPort = (github.address() as net.AddressInfo).port;
      const directory = scratchDirectory();
      const dataDir = join(directory, "data");
      const port = await freePort();
      const secret = "sigterm-test-secret";
      const service = spawnTs(
        MAIN,
        {
          APP_ID: "1234",
          PRIVATE_KEY: TEST_PROBOT_OPTIONS.privateKey,
          WEBHOOK_SECRET: secret,
          DATA_DIR: dataDir,
          HOST: "127.0.0.1",
          PORT: String(port),
          GHE_HOST: `127.0.0.1:${githubPort}`,
          GHE_PROTOCOL: "http",
          LOG_LEVEL: "info",
          LOG_FORMAT: "json",
          DATABASE_URL: "",
        },
        directory,
      );
      children.push(service);
      try {
        await service.waitFor(/Listening on/);
        const event = pullRequestEvent("opened");
        const body = JSON.stringify(event.payload);
        const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": event.name, "x-github-delivery": event.id, "x-hub-signature-256": await sign(secret, body) },
          body,
        });
        expect(response.status).toBe(202);
        await vi.waitFor(() => expect(hung.length).toBeGreaterThanOrEqual(2), { timeout: 60_000, interval: 100 });

        const signalledAt = Date.now();
        service.process.kill("SIGTERM");
        const exit = await service.exited;
        const shutdownSeconds = (Date.now() - signalledAt) / 1000;
        console.info(`shutdown after SIGTERM with GitHub unreachable: ${shutdownSeconds.toFixed(1)} s`);

        expect(exit).toStrictEqual({ code: 0, signal: null });
        expect(shutdownSeconds).toBeLessThan(60);
        expect(service.output()).toMatch(/released for another worker/);

        const db = await openDatabase({ dataDir });
        try {
          const queue = new JobQueue(db);
          expect(await queue.findDelivery(event.id)).toMatchObject({ status: "pending", attempts: 0 });
          const other = new Worker({ queue, probot: {} as never, metrics: new Metrics(), log: quiet, now: () => new Date() });
          const completed: string[] = [];
          other.handle(DELIVERY, async (_payload, job) => {
            completed.push(job.key);
          });
          other.handle("recovery", async () => undefined);
          await other.drain();
          expect(completed).toStrictEqual([event.id]);
          expect(await queue.findDelivery(event.id)).toMatchObject({ status: "done", attempts: 1 });
        } finally {
          await db.close();
        }
      } finally {
        for (const socket of hung) socket.destroy();
        github.close();
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
