/**
 * The hotfix log's figures as Prometheus gauges on `/metrics`, one series per repository at most
 * (low cardinality: no per-hotfix labels). Gauges hold what the last {@link HotfixLogGauges.refresh}
 * computed; the runtime refreshes them periodically rather than on every scrape, so a scrape never
 * waits on the database.
 */
import client from "prom-client";
import type { LogMetrics, MetricsWindow } from "./model.js";
import type { HotfixLogStore } from "./store.js";

/** The window the gauges cover: the last 90 days. */
export const GAUGE_WINDOW_DAYS = 90;
const DAY_MS = 24 * 3_600_000;

/** Gauge names, help texts and how each is read from a repository's metrics. */
const GAUGES: Record<string, { readonly help: string; readonly value: (metrics: LogMetrics) => number | null }> = {
  hotfix_guard_log_hotfixes: { help: `Hotfixes in the last ${GAUGE_WINDOW_DAYS} days, by repository.`, value: (m) => m.hotfixes },
  hotfix_guard_log_hotfixes_per_month: { help: `Hotfixes per 30-day month over the last ${GAUGE_WINDOW_DAYS} days, by repository (seed 001 warns above 1).`, value: (m) => m.frequencyPerMonth },
  hotfix_guard_log_resolution_median_seconds: { help: "Median time from incident (or PR opened) to merged, by repository.", value: (m) => (m.resolution.medianMs === null ? null : m.resolution.medianMs / 1000) },
  hotfix_guard_log_resolution_p90_seconds: { help: "90th percentile time from incident (or PR opened) to merged, by repository.", value: (m) => (m.resolution.p90Ms === null ? null : m.resolution.p90Ms / 1000) },
  hotfix_guard_log_bypass_ratio: { help: "Share of audited merged hotfixes merged with a bypass, by repository.", value: (m) => m.bypassed.share },
  hotfix_guard_log_bypass_justified_ratio: { help: "Share of bypasses with a verified justification, by repository.", value: (m) => m.justified.share },
  hotfix_guard_log_merge_backs_overdue: { help: "Merge-back targets not done past the escalation time, by repository.", value: (m) => m.mergeBacksOverdue },
  hotfix_guard_log_post_mortems_overdue: { help: "Post-incident reviews overdue or skipped, by repository.", value: (m) => m.postMortemsOverdue + m.postMortemsSkipped },
  hotfix_guard_log_quality_escapes: { help: "Hotfixes reverted or fixed again by a later hotfix, by repository.", value: (m) => m.qualityEscapes.length },
  hotfix_guard_log_warning_signs: { help: "Seed 001 warning signs past their thresholds, by repository.", value: (m) => m.warnings.length },
};

/** The hotfix log's gauges in a registry. */
export class HotfixLogGauges {
  private readonly gauges: Map<string, client.Gauge>;

  constructor(
    registry: client.Registry,
    private readonly store: Pick<HotfixLogStore, "metricsPerRepository">,
  ) {
    this.gauges = new Map(Object.entries(GAUGES).map(([name, { help }]) => [name, new client.Gauge({ name, help, labelNames: ["repository"], registers: [registry] })]));
  }

  /** Recomputes every gauge from the store; repositories without records drop out. Returns how many repositories were measured. */
  async refresh(now: Date): Promise<number> {
    const window: MetricsWindow = { since: new Date(now.getTime() - GAUGE_WINDOW_DAYS * DAY_MS).toISOString(), until: now.toISOString() };
    const perRepository = await this.store.metricsPerRepository(window);
    for (const [name, { value }] of Object.entries(GAUGES)) {
      const gauge = this.gauges.get(name) as client.Gauge;
      gauge.reset();
      for (const metrics of perRepository) {
        const measured = value(metrics);
        if (measured !== null) gauge.set({ repository: metrics.repos[0] ?? "" }, measured);
      }
    }
    return perRepository.length;
  }
}
