/**
 * How the commands print: plain-text tables for people at a terminal, the check run's own
 * Markdown for pasting into GitHub, JSON for scripts, and a progress bar on standard error that
 * draws only on a terminal, so piped output and CI logs stay clean. The cell texts are the app's
 * own (the same strings the check run shows); only the layout differs.
 */
import type { ConfigProblem } from "../config/load.js";
import type { Finding, FindingStatus } from "../rules/types.js";
import { writeLine, type OutputStream } from "./io.js";

/** Status words for plain text: the check run's icons do not line up in a terminal. */
export const STATUS_WORDS: Record<FindingStatus, string> = { pass: "pass", fail: "FAIL", warn: "warn", skip: "skip" };

const COLUMN_GAP = "  ";
/** No column is squeezed below this many characters. */
const MIN_COLUMN_WIDTH = 8;

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  return text.split(/\r?\n/).flatMap((paragraph) => wrapParagraph(paragraph, width));
}

function wrapParagraph(paragraph: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    line = word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  lines.push(line);
  return lines;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split(/\r?\n/).map((line) => line.length));
}

/**
 * Column widths that fit `width`: every column as wide as its longest line when that fits,
 * otherwise the widest columns are narrowed first until the table fits.
 */
function columnWidths(natural: readonly number[], width: number): number[] {
  const available = Math.max(width - COLUMN_GAP.length * (natural.length - 1), natural.length * MIN_COLUMN_WIDTH);
  const widths = [...natural];
  let excess = widths.reduce((sum, value) => sum + value, 0) - available;
  while (excess > 0) {
    const widest = Math.max(...widths);
    if (widest <= MIN_COLUMN_WIDTH) break;
    const secondWidest = Math.max(MIN_COLUMN_WIDTH, ...widths.filter((value) => value < widest));
    const count = widths.filter((value) => value === widest).length;
    const cut = Math.min(widest - secondWidest, Math.ceil(excess / count));
    for (let index = 0; index < widths.length; index += 1) {
      if (widths[index] === widest) widths[index] = widest - cut;
    }
    excess -= cut * count;
  }
  return widths;
}

/** A plain-text table: a header, a rule of dashes, then the rows, each cell wrapped within its column. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  const natural = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => longestLine(row[column] ?? ""))));
  const widths = columnWidths(natural, width);
  const renderRow = (cells: readonly string[]): string[] => {
    const wrapped = widths.map((columnWidth, column) => wrapText(cells[column] ?? "", columnWidth));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    return Array.from({ length: height }, (_, line) =>
      wrapped
        .map((lines, column) => (lines[line] ?? "").padEnd(widths[column] ?? 0))
        .join(COLUMN_GAP)
        .trimEnd(),
    );
  };
  return [...renderRow(headers), widths.map((columnWidth) => "-".repeat(columnWidth)).join(COLUMN_GAP), ...rows.flatMap(renderRow)].join("\n");
}

/** The rows of a check run as a plain-text table. */
export function findingsText(findings: readonly Finding[], width: number): string {
  return textTable(
    ["Status", "Rule", "Found", "Expected"],
    findings.map((finding) => [STATUS_WORDS[finding.status], finding.title, finding.actual, finding.expected]),
    width,
  );
}

/** The remedies of the failing and warning rows, as plain text; empty when there are none. */
export function remediesText(findings: readonly Finding[]): string {
  const items = findings
    .filter((finding) => (finding.status === "fail" || finding.status === "warn") && finding.remedy)
    .map((finding) => `- ${STATUS_WORDS[finding.status]} ${finding.title}: ${(finding.remedy ?? "").split("\n").join("\n  ")}`);
  return items.length > 0 ? ["How to fix:", ...items].join("\n") : "";
}

/** Configuration problems as a plain-text table with the check run's columns: file, key, expected, found. */
export function configProblemsText(problems: readonly ConfigProblem[], width: number): string {
  return textTable(
    ["File", "Key", "Expected", "Found"],
    problems.map((problem) => [problem.file, problem.path, problem.expected, problem.found]),
    width,
  );
}

/** Writes a value as indented JSON. */
export function writeJson(stream: OutputStream, value: unknown): void {
  writeLine(stream, JSON.stringify(value, null, 2));
}

const BAR_WIDTH = 24;

/**
 * A one-line progress bar on standard error, redrawn in place. On anything but a terminal it
 * draws nothing; {@link ProgressBar.say} still prints its messages there, one per line.
 */
export class ProgressBar {
  private drawn = false;
  private total = 0;
  private done = 0;
  private label = "";

  constructor(private readonly stream: OutputStream) {}

  /** Starts counting towards `total` items. */
  start(total: number): void {
    this.total = total;
    this.done = 0;
    this.draw();
  }

  /** Shows what is being worked on, with the count of items finished so far. */
  update(done: number, label: string): void {
    this.done = done;
    this.label = label;
    this.draw();
  }

  /** Prints a message on its own line (a rate-limit wait), then redraws the bar under it. */
  say(message: string): void {
    this.clear();
    writeLine(this.stream, message);
    this.draw();
  }

  /** Removes the bar, leaving the terminal as it was. */
  stop(): void {
    this.clear();
    this.total = 0;
  }

  private draw(): void {
    if (!this.stream.isTTY || this.total === 0) return;
    const filled = Math.round((this.done / this.total) * BAR_WIDTH);
    const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
    const room = Math.max((this.stream.columns ?? 80) - BAR_WIDTH - 20, 10);
    this.stream.write(`\r\x1b[2K[${bar}] ${this.done}/${this.total} ${this.label.slice(0, room)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }
}
