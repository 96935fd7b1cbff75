/**
 * The bench's arithmetic, kept pure so it is tested: percentiles of a sample, and the summary of
 * one figure over the rounds (median and spread), each with the load average it was measured at.
 */

/** The `p`th percentile of an ascending sample (nearest rank), NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** One measurement and the 1-minute load average when it was taken. */
export interface Sample {
  readonly value: number;
  readonly load: number;
}

/** A figure over the rounds: median, spread and the load averages beside it. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
  readonly loads: readonly number[];
}

/** The median (mean of the middle two for an even count), min and max of the samples; NaN when none. */
export function summarise(samples: readonly Sample[]): Summary {
  const values = samples.map((sample) => sample.value).filter((value) => Number.isFinite(value));
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN, values, loads: samples.map((sample) => sample.load) };
}

/** A number rounded for the table: 3 significant figures below 100, whole numbers above. */
export function figure(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
}

/** "median (min–max) [load a/b/c]" for the table. */
export function describe(summary: Summary, unit = ""): string {
  if (summary.values.length === 0) return "n/a";
  const spread = summary.values.length > 1 ? ` (${figure(summary.min)}–${figure(summary.max)})` : "";
  return `${figure(summary.median)}${unit}${spread} [load ${summary.loads.map((load) => load.toFixed(1)).join("/")}]`;
}
