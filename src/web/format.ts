/**
 * How the dashboard writes times, durations, severities, verdicts and follow-up states: one place,
 * so the log, the hotfix page and the metrics page say the same thing the same way. Times are
 * written in UTC in seed 002's `YYYY-MM-DD HH:MM` form.
 */
import { duration } from "../log/export.js";
import type { AuditVerdict, HotfixRecord, PostMortemStatus } from "../log/model.js";

/** `YYYY-MM-DD HH:MM UTC`, or an em dash for no time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A duration in the largest unit that reads well (`45 min`, `3.5 h`, `2.1 days`, as the exports write it), or an em dash. */
export function formatDuration(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? "—" : duration(Math.max(0, ms));
}

/** A share as a whole percentage, or an em dash when there is nothing to share. */
export function formatShare(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)} %`;
}

/**
 * Seed 002's severity levels (🔴 Critical, 🟡 High, 🔵 Medium, with P0 and P1 beside them). The
 * page draws the colour as a CSS dot beside the words, since a server without an emoji font (or a
 * screen reader) would not show the emoji well.
 */
export function severityLabel(severity: string | null): { readonly text: string; readonly level: "critical" | "high" | "other" | "none" } {
  if (!severity) return { text: "not declared", level: "none" };
  const upper = severity.toUpperCase();
  if (upper === "CRITICAL" || upper === "P0") return { text: severity, level: "critical" };
  if (upper === "HIGH" || upper === "P1") return { text: severity, level: "high" };
  return { text: severity, level: "other" };
}

/** The audit verdict in words. */
export const VERDICT_LABELS: Readonly<Record<AuditVerdict, string>> = {
  compliant: "Compliant",
  "justified-bypass": "Justified bypass",
  "unjustified-bypass": "Unjustified bypass",
  "not-fully-verified": "Not fully verified",
};

/** The verdict of a record in words, or where the record stands when it has none yet. */
export function verdictLabel(record: HotfixRecord): string {
  if (record.audit) return VERDICT_LABELS[record.audit.verdict];
  return record.state === "open" ? "Not merged yet" : record.state === "closed" ? "Closed unmerged" : "Not audited";
}

/** The post-mortem status in words. */
export function postMortemLabel(status: PostMortemStatus): string {
  switch (status.status) {
    case "not-due":
      return "Not due";
    case "on-time":
      return `Done on time (${formatTime(status.closedAt)})`;
    case "late":
      return `Done ${formatDuration(status.lateByMs)} late`;
    case "open":
      return `Open, due ${formatTime(status.dueAt)}`;
    case "overdue":
      return `Overdue since ${formatTime(status.dueAt)}`;
    case "skipped":
      return `Skipped (due ${formatTime(status.dueAt)})`;
  }
}

/** Merge-back progress: `2 of 3 done`, or `none` when the hotfix has no targets. */
export function mergeBackLabel(record: HotfixRecord): string {
  if (record.mergeBack.length === 0) return "none";
  const done = record.mergeBack.filter((target) => target.doneAt !== null).length;
  return done === record.mergeBack.length ? `all ${done} done` : `${done} of ${record.mergeBack.length} done`;
}

/** The URL when it is an http(s) address, else undefined: stored links never become `javascript:` hrefs. */
export function safeUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
