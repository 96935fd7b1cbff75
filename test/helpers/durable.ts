/**
 * Hotfix Guard with durable processing, served over HTTP on loopback the way `npm start` serves
 * it (Probot's middleware on a path no request reaches, the store-first ingress on the public one,
 * the root page and `/metrics`), with a fake clock and the worker driven by the test.
 */
import { sign } from "@octokit/webhooks-methods";
import type { AddressInfo } from "node:net";
import { Probot, Server, type Logger } from "probot";
import { createDurableApp, type DurableAppOptions, type DurableRuntime } from "../../src/server/durable-app.js";
import { homePage } from "../../src/server/home.js";
import { PROBOT_WEBHOOK_PATH } from "../../src/server/ingress.js";
import { Metrics, metricsRoute } from "../../src/server/metrics.js";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { APP_ID, freePort, TEST_PROBOT_OPTIONS } from "./app.js";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { FakeClock, HOOK_TIMEOUT_MS, resetTables, type Backend } from "./databases.js";

/** The webhook secret of the test server. */
export const SECRET = "test-webhook-secret";
const WEBHOOK_PATH = "/api/github/webhooks";

/** A log line as a test logger recorded it: level, bindings, message and the serialised object. */
export interface LogLine {
  readonly level: string;
  readonly msg: string | undefined;
  /** The line's fields, serialised as the JSON logger would write them (errors with their enumerable fields). */
  readonly json: string;
  readonly fields: Record<string, unknown>;
}

/** JSON as a logger writes it: each object once (request and socket objects are circular). */
function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field !== "object" || field === null) return field;
    if (seen.has(field)) return "[Circular]";
    seen.add(field);
    return field;
  });
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);

/**
 * A logger that records every line (any level) and writes none, for tests about what is logged.
 * It wraps the quiet test logger, so Probot's server and HTTP logging accept it as their own.
 */
export async function recordingLogger(): Promise<Logger & { lines: LogLine[] }> {
  return recording([], {}, await quietLogger());
}

/** A logger at level `fatal`, as Probot builds it (Probot's server and HTTP logging need a real one). */
async function quietLogger(): Promise<Logger> {
  const probot = new Probot({ ...TEST_PROBOT_OPTIONS });
  await probot.ready();
  return probot.log;
}

function recording(lines: LogLine[], bindings: Record<string, unknown>, base: Logger): Logger & { lines: LogLine[] } {
  const write = (level: string) => (first: unknown, msg?: string) => {
    const object = first instanceof Error ? { err: { ...first, message: first.message } } : typeof first === "object" && first !== null ? first : {};
    const fields = { ...bindings, ...(object as Record<string, unknown>) };
    lines.push({ level, msg: typeof first === "string" ? first : msg, json: serialise(fields), fields });
  };
  return new Proxy(base, {
    get(target, property, receiver) {
      if (property === "lines") return lines;
      if (typeof property === "string" && LEVELS.has(property)) return write(property);
      if (property === "child") return (more: Record<string, unknown>, options?: object) => recording(lines, { ...bindings, ...more }, target.child(more, options));
      return Reflect.get(target, property, receiver);
    },
  }) as Logger & { lines: LogLine[] };
}

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

/**
 * Starts a durable server on the given database and clock; `log` receives the app's and Probot's
 * log lines; `options` adds durable-app options (notification destinations).
 */
export async function startDurableServer(db: Database, clock: FakeClock, log?: Logger, options: Pick<DurableAppOptions, "notifyDestinations"> = {}): Promise<DurableServer> {
  const queue = new JobQueue(db);
  const metrics = new Metrics(queue, clock.now);
  let runtime: DurableRuntime | undefined;
  const server = new Server({
    Probot: Probot.defaults({ ...TEST_PROBOT_OPTIONS, secret: SECRET, ...(log ? { log } : {}) }),
    port: await freePort(),
    host: "127.0.0.1",
    webhookPath: PROBOT_WEBHOOK_PATH,
    log: log ?? (await quietLogger()),
  });
  await server.load(
    createDurableApp({ db, queue, metrics, webhookPath: WEBHOOK_PATH, secret: SECRET, now: clock.now, appId: APP_ID, startWorker: false, ...options }, (ready) => (runtime = ready)),
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

/** What a test of a durable server uses; filled by the hooks {@link durableServerPerTest} registers. */
export interface DurableTestBed {
  db: Database;
  clock: FakeClock;
  server: DurableServer;
}

/**
 * Registers the hooks of a `describe` whose tests each get a fresh durable server: the database
 * of `backend` is opened once, its tables emptied, the clock set to `start` and a server started
 * before each test (with the durable-app options `options` gives then) and stopped after it.
 */
export function durableServerPerTest(backend: Backend, start: Date, options: () => Pick<DurableAppOptions, "notifyDestinations"> = () => ({})): DurableTestBed {
  const bed = {} as DurableTestBed;
  beforeAll(async () => {
    bed.db = await backend.open();
  }, HOOK_TIMEOUT_MS);
  afterAll(() => backend.dispose(bed.db), HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    await resetTables(bed.db);
    bed.clock = new FakeClock(start);
    bed.server = await startDurableServer(bed.db, bed.clock, undefined, options());
  });
  afterEach(() => bed.server.stop());
  return bed;
}
