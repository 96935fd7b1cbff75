/**
 * `npm start`: Hotfix Guard as a service. Without credentials, Probot's setup page registers the
 * app. With them, the store opens (PostgreSQL at `DATABASE_URL`, else the embedded database in
 * `DATA_DIR`, default `./data`), migrations run, and the server starts with the store-first
 * ingress on the public webhook path; Probot's own webhook middleware moves to an internal path,
 * so every delivery is stored before any handler runs. The hotfix log's dashboard is served under
 * `/dashboard` (see docs/dashboard.md).
 */
import { existsSync } from "node:fs";
import { run, type ApplicationFunction } from "probot";
import { createApp } from "./index.js";
import { serviceOctokit } from "./github/octokit.js";
import { createDurableApp, type DurableRuntime } from "./server/durable-app.js";
import { Metrics } from "./server/metrics.js";
import { openDatabase } from "./store/database.js";
import { JobQueue } from "./store/jobs.js";
import { migrate } from "./store/migrations.js";
import { HotfixLogStore } from "./log/store.js";
import { createDashboardHandler } from "./web/handler.js";
import { dashboardConfigFromEnv } from "./web/settings.js";

/** Where Probot's own (queue-bypassing) webhook middleware is moved to. */
const INTERNAL_WEBHOOK_PATH = "/internal/probot-webhooks";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = process.env;
  if (!env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    await run(createApp());
    return;
  }
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
  await migrate(db);
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue);
  let runtime: DurableRuntime | undefined;
  const durable = createDurableApp(
    { db, queue, metrics, webhookPath: env.WEBHOOK_PATH ?? "/api/github/webhooks", secret: env.WEBHOOK_SECRET ?? "development" },
    (ready) => (runtime = ready),
  );
  const dashboard = dashboardConfigFromEnv(env);
  const app: ApplicationFunction = async (probot, options) => {
    await durable(probot, options);
    if (!dashboard.enabled) probot.log.info({ path: dashboard.path, problems: dashboard.problems }, "the dashboard is not enabled");
    options.addHandler(createDashboardHandler({ config: dashboard, reader: new HotfixLogStore(db), log: probot.log }));
  };
  const server = await run(app, { env: { ...env, WEBHOOK_PATH: INTERNAL_WEBHOOK_PATH }, Octokit: serviceOctokit(metrics) });
  process.once("SIGTERM", () => {
    void (async () => {
      await server.stop();
      await runtime?.worker.stop();
      await db.close();
      process.exit(0);
    })();
  });
}

await main();
