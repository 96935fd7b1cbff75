/**
 * The metrics page's charts, drawn on the server as inline SVG: no script, no charting library
 * from a CDN, so they work on an air-gapped GitHub Enterprise Server install and without
 * JavaScript. Each chart is an `<svg role="img">` with a `<title>`, a `<desc>` and an
 * `aria-label`; the page puts a data table beside it with the same figures. A highlighted bar
 * (a warning sign) is marked by a symbol as well as by colour. Every text is escaped here.
 */

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** One column of a column chart. */
export interface Column {
  readonly label: string;
  readonly value: number;
  /** Marked as a warning sign (drawn in the warning colour, with a "!" above it). */
  readonly highlight: boolean;
}

/** A column chart: one column per month, for example, with an optional threshold line. */
export interface ColumnChart {
  /** Unique in the page: the ids of the title and description derive from it. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly threshold?: { readonly value: number; readonly label: string };
}

const WIDTH = 640;
const FONT = 12;

function ticks(max: number): number[] {
  if (max <= 0) return [0];
  const step = max <= 5 ? 1 : Math.ceil(max / 5);
  const result: number[] = [];
  for (let value = 0; value <= max; value += step) result.push(value);
  return result;
}

function svgOpen(id: string, title: string, description: string, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" ` +
    `aria-label="${escapeXml(title)}" aria-labelledby="${id}-title ${id}-desc" focusable="false">` +
    `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(description)}</desc>`
  );
}

/** Draws a column chart. */
export function columnChart(chart: ColumnChart): string {
  const height = 240;
  const left = 36;
  const bottom = height - 36;
  const top = 28;
  const max = Math.max(1, chart.threshold?.value ?? 0, ...chart.columns.map((column) => column.value));
  const scaleMax = Math.max(...ticks(Math.ceil(max)), Math.ceil(max));
  const y = (value: number): number => bottom - ((bottom - top) * value) / scaleMax;
  const slot = (WIDTH - left - 8) / Math.max(1, chart.columns.length);
  const barWidth = Math.max(4, Math.min(48, slot * 0.7));
  const parts: string[] = [svgOpen(chart.id, chart.title, chart.description, height)];
  for (const tick of ticks(scaleMax)) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${left}" x2="${WIDTH - 4}" y1="${ty}" y2="${ty}"/>`);
    parts.push(`<text class="axis" x="${left - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="${FONT}">${tick}</text>`);
  }
  const labelEvery = Math.ceil(chart.columns.length / 12);
  chart.columns.forEach((column, index) => {
    const x = left + slot * index + (slot - barWidth) / 2;
    const barTop = y(column.value);
    const cls = column.highlight ? "bar warn" : "bar";
    parts.push(`<rect class="${cls}" x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(bottom - barTop).toFixed(1)}"><title>${escapeXml(`${column.label}: ${column.value}`)}</title></rect>`);
    if (column.highlight) parts.push(`<text class="mark" x="${(x + barWidth / 2).toFixed(1)}" y="${(barTop - 4).toFixed(1)}" text-anchor="middle" font-size="${FONT}" font-weight="bold">!</text>`);
    if (index % labelEvery === 0) parts.push(`<text class="axis" x="${(x + barWidth / 2).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" font-size="${FONT}">${escapeXml(column.label)}</text>`);
  });
  if (chart.threshold) {
    const ty = y(chart.threshold.value).toFixed(1);
    parts.push(`<line class="threshold" x1="${left}" x2="${WIDTH - 4}" y1="${ty}" y2="${ty}"/>`);
    parts.push(`<line class="threshold" x1="${WIDTH - 150}" x2="${WIDTH - 120}" y1="10" y2="10"/>`);
    parts.push(`<text class="threshold-label" x="${WIDTH - 114}" y="14" font-size="${FONT}">${escapeXml(chart.threshold.label)}</text>`);
  }
  parts.push(`<line class="axis-line" x1="${left}" x2="${WIDTH - 4}" y1="${bottom}" y2="${bottom}"/></svg>`);
  return parts.join("");
}

/** One bar of a horizontal bar chart. */
export interface Bar {
  readonly label: string;
  /** The bar's length on the chart's scale; null draws no bar ("no data"). */
  readonly value: number | null;
  /** The figure written after the bar ("42 %", "3.5 h"). */
  readonly display: string;
  readonly highlight: boolean;
  /** A target drawn as a tick on the bar's track, on the same scale. */
  readonly target?: number;
}

/** A horizontal bar chart: shares or durations, one bar per figure. */
export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly bars: readonly Bar[];
  /** The value at the right end of the track (100 for percentages). */
  readonly max: number;
}

/** Draws a horizontal bar chart. */
export function barChart(chart: BarChart): string {
  const row = 34;
  const height = 16 + row * chart.bars.length;
  const left = 200;
  const track = WIDTH - left - 150;
  const scale = (value: number): number => (track * Math.min(Math.max(value, 0), chart.max)) / Math.max(chart.max, Number.EPSILON);
  const parts: string[] = [svgOpen(chart.id, chart.title, chart.description, height)];
  chart.bars.forEach((bar, index) => {
    const top = 8 + row * index;
    parts.push(`<text class="label" x="${left - 8}" y="${top + 17}" text-anchor="end" font-size="${FONT}">${escapeXml(bar.label)}</text>`);
    parts.push(`<rect class="track" x="${left}" y="${top + 4}" width="${track}" height="18"/>`);
    if (bar.value !== null) {
      parts.push(`<rect class="${bar.highlight ? "bar warn" : "bar"}" x="${left}" y="${top + 4}" width="${scale(bar.value).toFixed(1)}" height="18"/>`);
    }
    if (bar.target !== undefined) {
      const tx = (left + scale(bar.target)).toFixed(1);
      parts.push(`<line class="target" x1="${tx}" x2="${tx}" y1="${top}" y2="${top + 26}"/>`);
    }
    const text = `${bar.highlight ? "! " : ""}${bar.display}`;
    parts.push(`<text class="${bar.highlight ? "value mark" : "value"}" x="${left + track + 8}" y="${top + 17}" font-size="${FONT}">${escapeXml(text)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}
