/**
 * Prometheus metrics (prom-client): deliveries received, processed and failed, queue depth and
 * lag, GitHub requests by route and status, handler durations. One registry per app instance, so
 * tests and several apps in one process do not mix their counts.
 */
import client from "prom-client";
import type { JobQueue } from "../store/jobs.js";

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
