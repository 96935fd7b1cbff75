/**
 * Hotfix Guard with durable processing, served over HTTP on loopback the way `npm start` serves
 * it (Probot's middleware on a path no request reaches, the store-first ingress on the public one,
 * the root page and `/metrics`), with a fake clock and the worker driven by the test.
 */
import { sign } from "@octokit/webhooks-methods";
import type { AddressInfo } from "node:net";
import { Probot, Server } from "probot";
import { createDurableApp, type DurableRuntime } from "../../src/server/durable-app.js";
import { homePage } from "../../src/server/home.js";
import { PROBOT_WEBHOOK_PATH } from "../../src/server/ingress.js";
import { Metrics, metricsRoute } from "../../src/server/metrics.js";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { APP_ID, freePort, SILENT_LOG, TEST_PROBOT_OPTIONS } from "./app.js";
import type { FakeClock } from "./databases.js";

/** The webhook secret of the test server. */
export const SECRET = "test-webhook-secret";
const WEBHOOK_PATH = "/api/github/webhooks";

/** A running durable server. */
export interface DurableServer {
  readonly url: string;
  readonly queue: JobQueue;
  readonly metrics: Metrics;
  readonly runtime: DurableRuntime;
  /** POSTs a delivery signed with `secret` (the server's by default; null sends no signature). */
  deliver(delivery: { id: string; name: string; payload: unknown }, secret?: string | null): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts a durable server on the given database and clock. */
export async function startDurableServer(db: Database, clock: FakeClock): Promise<DurableServer> {
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue, clock.now);
  let runtime: DurableRuntime | undefined;
  const server = new Server({
    Probot: Probot.defaults({ ...TEST_PROBOT_OPTIONS, secret: SECRET }),
    port: await freePort(),
    host: "127.0.0.1",
    webhookPath: PROBOT_WEBHOOK_PATH,
    log: SILENT_LOG,
  });
  await server.load(
    createDurableApp({ db, queue, metrics, webhookPath: WEBHOOK_PATH, secret: SECRET, now: clock.now, appId: APP_ID, startWorker: false }, (ready) => (runtime = ready)),
  );
  server.addHandler(homePage());
  server.addHandler(metricsRoute({ metrics }));
  const http = await server.start();
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  if (!runtime) throw new Error("the durable app did not start");
  return {
    url,
    queue,
    metrics,
    runtime,
    async deliver(delivery, secret = SECRET) {
      const body = JSON.stringify(delivery.payload);
      const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": delivery.name, "x-github-delivery": delivery.id };
      if (secret !== null) headers["x-hub-signature-256"] = await sign(secret, body);
      return fetch(`${url}${WEBHOOK_PATH}`, { method: "POST", headers, body });
    },
    stop: () => server.stop(),
  };
}
