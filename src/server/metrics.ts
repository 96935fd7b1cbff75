/**
 * Prometheus metrics (prom-client): deliveries received, processed and failed, queue depth and
 * lag, GitHub requests by route and status, handler durations. One registry per app instance, so
 * tests and several apps in one process do not mix their counts.
 *
 * Label values are bounded and never carry tenant data: event names outside
 * {@link KNOWN_EVENTS} count as `other`, GitHub routes are templates (see
 * `src/github/request-metrics.ts`). `/metrics` is served by {@link metricsRoute}, on the public
 * server or on a listener of its own ({@link startMetricsServer}), optionally behind a bearer token.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import client from "prom-client";
import type { JobQueue } from "../store/jobs.js";

/**
 * The webhook events counted under their own name: those `app.yml` subscribes to and those GitHub
 * sends every app (installation changes, the ping on creation). Any other name counts as `other`,
 * so a sender cannot add label values.
 */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  "pull_request",
  "pull_request_review",
  "check_run",
  "issue_comment",
  "create",
  "push",
  "branch_protection_rule",
  "repository_ruleset",
  "installation",
  "installation_repositories",
  "installation_target",
  "github_app_authorization",
  "ping",
]);

/** The label value of an event name outside {@link KNOWN_EVENTS}. */
export const OTHER_EVENT = "other";

/** Counter names and their labels. */
const COUNTERS = {
  hotfix_guard_deliveries_received_total: { help: "Webhook deliveries received, by event and whether they were new or duplicates.", labels: ["event", "result"] },
  hotfix_guard_deliveries_rejected_total: { help: "Webhook requests refused, by HTTP status (401: bad signature).", labels: ["status"] },
  hotfix_guard_jobs_processed_total: { help: "Queued jobs (deliveries and timed jobs) processed, by kind and outcome.", labels: ["kind", "outcome"] },
  hotfix_guard_github_requests_total: { help: "GitHub API requests, by method, route and status.", labels: ["method", "route", "status"] },
} as const;

type CounterName = keyof typeof COUNTERS;

/** The app's metrics. */
export class Metrics {
  readonly registry = new client.Registry();
  private readonly counters: Record<CounterName, client.Counter>;
  private readonly durations: client.Histogram;

  constructor(queue?: JobQueue, now: () => Date = () => new Date()) {
    this.counters = Object.fromEntries(
      Object.entries(COUNTERS).map(([name, { help, labels }]) => [name, new client.Counter({ name, help, labelNames: [...labels], registers: [this.registry] })]),
    ) as Record<CounterName, client.Counter>;
    this.durations = new client.Histogram({
      name: "hotfix_guard_job_duration_seconds",
      help: "How long processing one queued job took, by kind.",
      labelNames: ["kind"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    if (queue) this.registerQueueGauges(queue, now);
  }

  private registerQueueGauges(queue: JobQueue, now: () => Date): void {
    let stats: Awaited<ReturnType<JobQueue["stats"]>> | undefined;
    const refresh = async () => {
      stats = await queue.stats(now());
    };
    new client.Gauge({
      name: "hotfix_guard_queue_jobs",
      help: "Jobs in the queue, by status.",
      labelNames: ["status"],
      registers: [this.registry],
      async collect() {
        await refresh();
        for (const status of ["pending", "running", "done", "failed"] as const) this.set({ status }, stats?.[status] ?? 0);
      },
    });
    new client.Gauge({
      name: "hotfix_guard_queue_lag_seconds",
      help: "How long the oldest due job has waited past its run time.",
      registers: [this.registry],
      collect() {
        this.set(stats?.lagSeconds ?? 0);
      },
    });
  }

  /** Adds one to a counter. */
  count(name: CounterName, labels: Record<string, string>): void {
    this.counters[name].inc(labels);
  }

  /** Counts a stored delivery by event (bounded to {@link KNOWN_EVENTS}) and whether it was new. */
  countDelivery(event: string, result: "queued" | "duplicate"): void {
    this.count("hotfix_guard_deliveries_received_total", { event: KNOWN_EVENTS.has(event) ? event : OTHER_EVENT, result });
  }

  /** Records a job's processing time. */
  observeDuration(kind: string, seconds: number): void {
    this.durations.observe({ kind }, seconds);
  }

  /** The metrics in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The current value of a counter, for tests and the benchmark. */
  async value(name: CounterName, labels: Record<string, string> = {}): Promise<number> {
    const { values } = await this.counters[name].get();
    return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
  }
}

/** Where and how `/metrics` is served. */
export interface MetricsRouteOptions {
  /** The metrics to serve. */
  readonly metrics: Metrics;
  /** When set, a request without `Authorization: Bearer <token>` is answered 401. */
  readonly token?: string;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `GET /metrics` route as a server handler (true when it handled the request). */
export function metricsRoute(options: MetricsRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") return false;
    if (options.token !== undefined) {
      const [scheme, given] = (req.headers.authorization ?? "").split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !given || !sameToken(given, options.token)) {
        res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' }).end("metrics need Authorization: Bearer <METRICS_TOKEN>\n");
        return true;
      }
    }
    res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(await options.metrics.text());
    return true;
  };
}

/** The address of the metrics listener. */
export interface MetricsListener {
  /** `METRICS_PORT` (0: any free port). */
  readonly port: number;
  /** `METRICS_HOST`: the interface to listen on. */
  readonly host: string;
}

/**
 * Serves `/metrics` (and nothing else, 404) on a listener of its own, so that the public port
 * never publishes it. Resolves once listening.
 */
export async function startMetricsServer(options: MetricsRouteOptions & MetricsListener): Promise<Server> {
  const route = metricsRoute(options);
  const server = createServer((req, res) => {
    route(req, res).then(
      (handled) => handled || res.writeHead(404, { "content-type": "text/plain" }).end("only /metrics is served here\n"),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
