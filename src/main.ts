/**
 * `npm start`: Hotfix Guard as a service. The environment is checked first
 * (`src/server/startup.ts`): a production start without the app's credentials or webhook secret
 * stops with a message saying what to set. Outside production and without credentials, Probot's
 * setup page registers the app. Otherwise the store opens (PostgreSQL at `DATABASE_URL`, else the
 * embedded database in `DATA_DIR`, default `./data`), migrations run, and the server starts with
 * the store-first ingress on the public webhook path (and on `/`, where the setup page registers
 * the webhook), the root page, and `/metrics` on the public port or on `METRICS_PORT`. Probot's
 * own webhook middleware gets a path no request reaches, so every delivery is stored before any
 * handler runs.
 * The hotfix log's dashboard is served under `/dashboard` (see docs/dashboard.md).
 */
import { existsSync } from "node:fs";
import { run, type ApplicationFunction } from "probot";
import { createApp } from "./index.js";
import { serviceOctokit } from "./github/octokit.js";
import { createDurableApp, type DurableRuntime } from "./server/durable-app.js";
import { DestinationsError, destinationsFromEnv } from "./notify/destinations.js";
import { homePage } from "./server/home.js";
import { Metrics, metricsRoute, startMetricsServer } from "./server/metrics.js";
import { shutdown } from "./server/shutdown.js";
import { checkStartup, probotEnvironment, StartupError, type StartupPlan } from "./server/startup.js";
import { DataDirLockedError } from "./store/data-dir-lock.js";
import { openDatabase } from "./store/database.js";
import { JobQueue } from "./store/jobs.js";
import { migrate } from "./store/migrations.js";
import { HotfixLogStore } from "./log/store.js";
import { createDashboardHandler } from "./web/handler.js";
import { dashboardConfigFromEnv } from "./web/settings.js";

/** The durable app with the root page, and `/metrics` unless it has a listener of its own. */
function withPublicRoutes(durable: ApplicationFunction, metrics: Metrics, plan: Extract<StartupPlan, { mode: "service" }>): ApplicationFunction {
  return async (app, options) => {
    for (const warning of plan.warnings) app.log.warn(warning);
    await durable(app, options);
    options.addHandler(homePage());
    if (!plan.metrics.listener) options.addHandler(metricsRoute({ metrics, ...(plan.metrics.token ? { token: plan.metrics.token } : {}) }));
  };
}

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const env = process.env;
  const plan = checkStartup(env);
  if (plan.mode === "setup") {
    for (const warning of plan.warnings) console.warn(warning);
    // Probot's setup page would otherwise fetch and run smee-client with npx for a smee.io channel.
    process.env.NO_SMEE_SETUP = "true";
    await run(createApp(), { env: { ...env, WEBHOOK_PROXY_URL: undefined } });
    return;
  }
  const notifyDestinations = destinationsFromEnv(env);
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
  const durable = createDurableApp(
    { db, queue, metrics, webhookPath: plan.webhookPath, secret: plan.webhookSecret, notifyDestinations },
    (ready) => (runtime = ready),
  );
  const dashboard = dashboardConfigFromEnv(env);
  const app: ApplicationFunction = async (probot, options) => {
    await durable(probot, options);
    if (!dashboard.enabled) probot.log.info({ path: dashboard.path, problems: dashboard.problems }, "the dashboard is not enabled");
    options.addHandler(createDashboardHandler({ config: dashboard, reader: new HotfixLogStore(db), log: probot.log }));
  };
  const { listener, token } = plan.metrics;
  if (listener) {
    await startMetricsServer({ metrics, ...listener, ...(token ? { token } : {}) }).catch((error: Error) => {
      throw new StartupError(`Cannot serve /metrics on METRICS_HOST=${listener.host} METRICS_PORT=${listener.port}: ${error.message}. Choose a free port, or unset METRICS_PORT.`);
    });
  }
  const server = await run(withPublicRoutes(app, metrics, plan), { env: probotEnvironment(env), Octokit: serviceOctokit(metrics) });
  const stop = () => {
    const log = runtime?.log;
    if (!log) process.exit(0);
    void shutdown({ server, worker: runtime?.worker, db, log }).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
}

await main().catch((error: unknown) => {
  if (!(error instanceof StartupError || error instanceof DestinationsError)) throw error;
  console.error(error.message);
  process.exit(1);
});
