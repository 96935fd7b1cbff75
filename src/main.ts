/**
 * `npm start`: Hotfix Guard as a service. Without credentials, Probot's setup page registers the
 * app. With them, the store opens (PostgreSQL at `DATABASE_URL`, else the embedded database in
 * `DATA_DIR`, default `./data`), migrations run, and the server starts with the store-first
 * ingress on the public webhook path; Probot's own webhook middleware moves to an internal path,
 * so every delivery is stored before any handler runs.
 */
import { existsSync } from "node:fs";
import { run } from "probot";
import { createApp } from "./index.js";
import { serviceOctokit } from "./github/octokit.js";
import { createDurableApp, type DurableRuntime } from "./server/durable-app.js";
import { Metrics } from "./server/metrics.js";
import { shutdown } from "./server/shutdown.js";
import { DataDirLockedError } from "./store/data-dir-lock.js";
import { openDatabase } from "./store/database.js";
import { JobQueue } from "./store/jobs.js";
import { migrate } from "./store/migrations.js";

/** Where Probot's own (queue-bypassing) webhook middleware is moved to. */
const INTERNAL_WEBHOOK_PATH = "/internal/probot-webhooks";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = process.env;
  if (!env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    await run(createApp());
    return;
  }
  let runtime: DurableRuntime | undefined;
  const onConnectionError = (error: Error) => (runtime?.log ?? console).warn(`database connection lost (${error.message}); reconnecting on the next query`);
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, onConnectionError }).catch((error: unknown) => {
    if (!(error instanceof DataDirLockedError)) throw error;
    console.error(error.message);
    process.exit(1);
  });
  await migrate(db);
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue);
  const app = createDurableApp(
    { db, queue, metrics, webhookPath: env.WEBHOOK_PATH ?? "/api/github/webhooks", secret: env.WEBHOOK_SECRET ?? "development" },
    (ready) => (runtime = ready),
  );
  const server = await run(app, { env: { ...env, WEBHOOK_PATH: INTERNAL_WEBHOOK_PATH }, Octokit: serviceOctokit(metrics) });
  const stop = () => {
    const log = runtime?.log;
    if (!log) process.exit(0);
    void shutdown({ server, worker: runtime?.worker, db, log }).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
}

await main();
