/**
 * The dashboard's view models: what each page shows, built from what the hotfix log reader
 * returns (already reduced to what the user may see, see `visibility.ts`). Pure: no I/O, no
 * clock; the handler passes the time in. The templates in `templates.ts` only display these.
 */
import { AUDIT_VERDICTS, type AuditVerdict, type HotfixDetail, type HotfixRecord, type LogMetrics, type LogPage, type MetricsWindow, type Share, type TimelineEventKind, type WarningSign } from "../log/model.js";
import { barChart, columnChart } from "./charts.js";
import { formatDuration, formatShare, formatTime, mergeBackLabel, postMortemLabel, safeUrl, severityLabel, VERDICT_LABELS, verdictLabel } from "./format.js";

/** How many hotfixes one page of the log lists. */
export const PER_PAGE = 25;
/** The metrics windows offered, in months; the first is the default (seed 002 keeps six months). */
export const WINDOWS = [6, 3, 12, 24] as const;
/** The severities offered in the log's filter (seed 001's and seed 004's hotfix levels). */
export const SEVERITIES = ["CRITICAL", "HIGH", "P0", "P1"] as const;

/** The log's filter as the query string gives it, already checked. */
export interface LogQuery {
  /** A readable repository, or undefined for all. */
  readonly repo?: string;
  readonly severity?: string;
  readonly verdict?: AuditVerdict;
  readonly followups?: "open" | "none";
  readonly page: number;
}

/** The dashboard's routes under its base path. */
export class Routes {
  /** `base` is the dashboard's path, without a trailing slash. */
  constructor(readonly base: string) {}

  /** The log page with a filter and page. */
  log(query: Partial<LogQuery>): string {
    const params = new URLSearchParams();
    if (query.repo) params.set("repo", query.repo);
    if (query.severity) params.set("severity", query.severity);
    if (query.verdict) params.set("verdict", query.verdict);
    if (query.followups) params.set("followups", query.followups);
    if (query.page && query.page > 1) params.set("page", String(query.page));
    const search = params.toString();
    return search ? `${this.base}?${search}` : this.base;
  }

  /** One hotfix's page. */
  hotfix(repo: string, id: string): string {
    const [owner = "", name = ""] = repo.split("/");
    return `${this.base}/hotfix/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/${encodeURIComponent(id)}`;
  }

  /** The metrics page. */
  metrics(repo?: string, months?: number): string {
    return this.withScope(`${this.base}/metrics`, repo, months);
  }

  /** The exports page, or one export file. */
  exportFile(format?: "md" | "csv" | "json", repo?: string, months?: number): string {
    return this.withScope(format ? `${this.base}/export/log.${format}` : `${this.base}/export`, repo, months);
  }

  private withScope(path: string, repo?: string, months?: number): string {
    const params = new URLSearchParams();
    if (repo) params.set("repo", repo);
    if (months && months !== WINDOWS[0]) params.set("months", String(months));
    const search = params.toString();
    return search ? `${path}?${search}` : path;
  }
}

/** The window of the last `months` calendar months, the current one included. */
export function windowOf(months: number, now: Date): MetricsWindow {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  return { since: since.toISOString(), until: now.toISOString() };
}

function windowText(window: MetricsWindow): string {
  return `${window.since.slice(0, 10)} to ${window.until.slice(0, 10)}`;
}

function verdictClass(record: HotfixRecord): string {
  return record.audit ? record.audit.verdict : "none";
}

function postIncidentCell(record: HotfixRecord): string {
  if (!record.postIncident) return record.state === "merged" ? "no issue" : "—";
  return record.postIncident.closedAt ? `closed ${formatTime(record.postIncident.closedAt)}` : "open";
}

/** The log page's view model. */
export function logView(routes: Routes, repos: readonly string[], query: LogQuery, page: LogPage, notice?: string) {
  const totalPages = Math.max(1, Math.ceil(page.total / PER_PAGE));
  const first = (query.page - 1) * PER_PAGE + 1;
  const last = first + page.records.length - 1;
  return {
    repos,
    filter: query,
    severities: query.severity && !(SEVERITIES as readonly string[]).includes(query.severity) ? [...SEVERITIES, query.severity] : SEVERITIES,
    verdicts: AUDIT_VERDICTS.map((value) => ({ value, label: VERDICT_LABELS[value] })),
    notice,
    summary:
      page.total === 0
        ? "No hotfix matches this filter."
        : `${page.total} ${page.total === 1 ? "hotfix matches" : "hotfixes match"}; showing ${first} to ${last}, newest first.`,
    caption: `Hotfixes, newest first (page ${query.page} of ${totalPages})`,
    rows: page.records.map((record) => {
      return {
        id: record.id,
        href: routes.hotfix(record.repo, record.id),
        dateIso: record.dateTime,
        date: formatTime(record.dateTime),
        repo: record.repo,
        title: record.title,
        severity: severityLabel(record.severity),
        verdict: verdictLabel(record),
        verdictClass: verdictClass(record),
        mergeBack: mergeBackLabel(record),
        postIncident: postIncidentCell(record),
      };
    }),
    pages: {
      current: query.page,
      total: totalPages,
      previous: query.page > 1 ? routes.log({ ...query, page: query.page - 1 }) : undefined,
      next: query.page < totalPages ? routes.log({ ...query, page: query.page + 1 }) : undefined,
    },
    exports: {
      markdown: routes.exportFile("md", query.repo),
      csv: routes.exportFile("csv", query.repo),
      json: routes.exportFile("json", query.repo),
    },
  };
}

const EVENT_LABELS: Readonly<Record<TimelineEventKind, string>> = {
  "branch-created": "Branch created",
  "pr-opened": "Pull request opened",
  "review-requested": "Review requested",
  review: "Review",
  escalated: "Escalated",
  "bypass-requested": "Bypass requested",
  "bypass-granted": "Bypass granted",
  "bypass-denied": "Bypass denied",
  "check-verdict": "Check verdict",
  merged: "Merged",
  tagged: "Tagged",
  deployed: "Deployed",
  "deployment-gate": "Deployment gate",
  "merge-back-done": "Merged back",
  "post-incident-opened": "Post-incident review opened",
  "post-incident-closed": "Post-incident review closed",
  reverted: "Reverted",
  "notification-failed": "Notification not sent",
};

const MAX_FILES_SHOWN = 50;

/** The hotfix page's view model: seed 002's entry, the audit, the follow-ups, the links and the timeline. */
export function hotfixView(detail: HotfixDetail, auditDetailsVisible: boolean, auditTeamsUnchecked = false) {
  const { record, metrics, timeline } = detail;
  const resolution = metrics.resolution;
  const duration = [
    resolution.toMergedMs !== null ? `${formatDuration(resolution.toMergedMs)} to merge` : undefined,
    resolution.toDeployedMs !== null ? `${formatDuration(resolution.toDeployedMs)} to deploy` : undefined,
  ].filter(Boolean);
  const who = [
    record.author ? `${record.author} (author)` : undefined,
    record.reviewers.length > 0 ? `${record.reviewers.join(", ")} (${record.reviewers.length === 1 ? "reviewer" : "reviewers"})` : undefined,
    record.merger ? `${record.merger} (merged)` : undefined,
    record.authoriser ? `${record.authoriser} (authorised the bypass)` : undefined,
  ].filter(Boolean);
  const justification = record.audit?.justification;
  const isBypass = record.audit?.verdict === "justified-bypass" || record.audit?.verdict === "unjustified-bypass";
  const followUps: { label: string; value: string; warn: boolean }[] = [
    {
      label: "Post-mortem",
      value: `${postMortemLabel(metrics.postMortem)}${record.postIncident ? ` (issue #${record.postIncident.number})` : ""}`,
      warn: ["overdue", "skipped", "late"].includes(metrics.postMortem.status),
    },
    ...record.mergeBack.map((target) => {
      const lag = metrics.mergeBack.find((entry) => entry.target === target.target);
      return {
        label: `Merge back into ${target.target}`,
        value: target.doneAt ? `done ${formatTime(target.doneAt)} (${formatDuration(lag?.lagMs)} after the merge)${target.evidence ? `, ${target.evidence}` : ""}` : lag?.overdue ? "overdue" : "pending",
        warn: target.doneAt === null && lag?.overdue === true,
      };
    }),
    {
      label: "Version tag",
      value: record.tag ? (record.tag.at ? `${record.tag.name}, ${formatTime(record.tag.at)}` : `${record.tag.name} expected, not seen yet`) : "none expected",
      warn: record.tag !== null && record.tag.at === null,
    },
  ];
  const files = record.filesAffected.slice(0, MAX_FILES_SHOWN);
  return {
    id: record.id,
    brief: record.title,
    repo: record.repo,
    pullRequest: record.pullRequest,
    headRef: record.headRef,
    baseRef: record.baseRef,
    state: record.state,
    dateIso: record.dateTime,
    date: formatTime(record.dateTime),
    severity: severityLabel(record.severity),
    duration: duration.length > 0 ? duration.join(", ") : "—",
    who: who.length > 0 ? who.join("; ") : "—",
    incidentReference: record.incidentReference,
    emergency: [
      { label: "Problem", value: record.problem, pre: true },
      { label: "Impact", value: record.impact, pre: true },
      { label: "Why Emergency", value: record.whyEmergency, pre: true },
    ],
    fix: [
      { label: "Change Made", value: record.changeMade, pre: true },
      { label: "Rollback Plan", value: record.rollbackPlan, pre: true },
    ],
    files,
    filesMore: record.filesAffected.length > files.length ? `and ${record.filesAffected.length - files.length} more` : undefined,
    lines: record.additions !== null || record.deletions !== null ? `+${record.additions ?? 0} −${record.deletions ?? 0} lines${metrics.overScope ? ", over the scope limits" : ""}` : undefined,
    context: [
      { label: "Root Cause (Initial)", value: record.rootCause, pre: true },
      { label: "Risk Accepted", value: record.riskAccepted, pre: true },
      { label: "Monitoring", value: record.monitoring, pre: true },
    ],
    verdict: verdictLabel(record),
    verdictClass: verdictClass(record),
    auditedAt: record.audit ? formatTime(record.audit.auditedAt) : undefined,
    unmet: record.audit?.unmet ?? [],
    auditDetails:
      auditDetailsVisible && justification
        ? [
            { label: "Incident", value: justification.incident ?? "—" },
            { label: "Bypass Reason", value: justification.bypassReason ?? "—" },
            { label: "Risk Assessment", value: justification.riskAssessment ?? "—" },
            { label: "Post-Incident Actions", value: justification.postIncidentActions ?? "—" },
            { label: "Authorized By", value: justification.authorizedBy ?? "—" },
            { label: "Timestamp", value: justification.timestamp ?? "—" },
            { label: "Assessment", value: justification.assessment },
          ]
        : undefined,
    auditHidden: !auditDetailsVisible && isBypass,
    auditTeamsUnchecked: !auditDetailsVisible && isBypass && auditTeamsUnchecked,
    followUps,
    links: [
      { label: `Pull request #${record.pullRequest}`, href: safeUrl(record.links.pullRequest) },
      { label: "Audit comment", href: safeUrl(record.links.auditComment) },
      { label: "Merge-back reminder issue", href: safeUrl(record.links.reminderIssue) },
      { label: "Post-incident review issue", href: safeUrl(record.links.postIncidentIssue) },
    ],
    timeline: timeline.map((event) => ({
      iso: event.at,
      time: formatTime(event.at),
      kind: EVENT_LABELS[event.kind] ?? event.kind,
      actor: event.actor ?? "—",
      detail: event.detail || "—",
      href: safeUrl(event.url),
    })),
  };
}

/**
 * At most this many hotfixes are linked from one warning sign, and at most this many entries
 * shown in one list: a busy organisation's page stays readable and small; the exports hold all.
 */
export const MAX_LINKS_SHOWN = 20;
export const MAX_LIST_ITEMS = 50;

/** The first `max` items and how many were left out. */
function firstOf<T>(items: readonly T[], max: number): { shown: T[]; more: number } {
  return { shown: items.slice(0, max), more: Math.max(0, items.length - max) };
}

/** A list's first {@link MAX_LIST_ITEMS} entries, each made by `item`, and how many were left out. */
function listed<T>(entries: readonly T[], item: (entry: T) => ListItem): { items: ListItem[]; more: number } {
  const { shown, more } = firstOf(entries, MAX_LIST_ITEMS);
  return { items: shown.map(item), more };
}

/** One line of a list on the metrics page, with up to {@link MAX_LINKS_SHOWN} hotfix links. */
interface ListItem {
  readonly text: string;
  readonly links: readonly { label: string; href: string }[];
  /** Hotfixes of this line not linked. */
  readonly more: number;
}

/** The over-scope line: linked when one repository is shown, else the ids with a hint. */
function overScopeItem(ids: readonly string[], links: (ids: readonly string[]) => { label: string; href: string }[]): ListItem {
  const { shown, more } = firstOf(ids, MAX_LINKS_SHOWN);
  const count = `${ids.length} hotfix${ids.length === 1 ? "" : "es"}`;
  const linked = links(shown);
  return linked.length > 0 ? { text: `${count}:`, links: linked, more } : { text: `${count}: ${shown.join(", ")}${more > 0 ? ", …" : ""} (choose one repository to follow the links)`, links: [], more: 0 };
}

const WARNING_TITLES: Readonly<Record<WarningSign["kind"], string>> = {
  "frequent-hotfixes": "Frequent hotfixes",
  "long-resolution": "Long resolution times",
  "scope-creep": "Scope creep",
  "post-mortems-skipped": "Post-mortems skipped",
  "quality-escapes": "Hotfix-induced issues",
  "repeat-incidents": "Repeat incidents",
};

function shareText(share: Share): string {
  return share.of === 0 ? "—" : `${formatShare(share.share)} (${share.count} of ${share.of})`;
}

function percent(share: Share): number | null {
  return share.share === null ? null : Math.round(share.share * 1000) / 10;
}

/** The metrics page's view model, with its charts drawn. */
export function metricsView(routes: Routes, repos: readonly string[], repo: string | undefined, months: number, metrics: LogMetrics) {
  const warned = new Set(metrics.warnings.map((warning) => warning.kind));
  const frequencyThreshold = metrics.warnings.find((warning) => warning.kind === "frequent-hotfixes")?.threshold ?? 1;
  const idLink = (id: string, ofRepo?: string) => {
    const owner = ofRepo ?? (metrics.repos.length === 1 ? metrics.repos[0] : undefined);
    return owner ? { label: id, href: routes.hotfix(owner, id) } : undefined;
  };
  const links = (ids: readonly string[], ofRepo?: string) => ids.map((id) => idLink(id, ofRepo)).filter((link): link is { label: string; href: string } => link !== undefined);
  const monthly = metrics.perMonth.map((entry) => ({ label: entry.month, value: entry.count, highlight: entry.count > frequencyThreshold }));
  const shares = [
    { label: "Merged with a bypass", share: metrics.bypassed, highlight: metrics.bypassed.count > metrics.justified.count },
    { label: "Bypasses justified", share: metrics.justified, highlight: metrics.justified.of > 0 && metrics.justified.count < metrics.justified.of },
    { label: "Post-mortems on time", share: metrics.postMortemsOnTime, highlight: warned.has("post-mortems-skipped") || (metrics.postMortemsOnTime.of > 0 && metrics.postMortemsOnTime.count < metrics.postMortemsOnTime.of), target: 100 },
    { label: "Repeat incidents", share: metrics.repeatShare, highlight: warned.has("repeat-incidents") || (metrics.repeatShare.share ?? 0) > 0.1, target: 10 },
  ];
  const durations = [
    { label: "Resolution, median", ms: metrics.resolution.medianMs, highlight: warned.has("long-resolution") },
    { label: "Resolution, 90th percentile", ms: metrics.resolution.p90Ms, highlight: warned.has("long-resolution") },
    { label: "Merge-back lag, median", ms: metrics.mergeBackLag.medianMs, highlight: metrics.mergeBacksOverdue > 0 },
    { label: "Merge-back lag, 90th percentile", ms: metrics.mergeBackLag.p90Ms, highlight: metrics.mergeBacksOverdue > 0 },
  ];
  const longestHours = Math.max(1, ...durations.map((entry) => (entry.ms ?? 0) / 3_600_000));
  const scope = repo ?? (repos.length === 1 ? repos[0] ?? "" : `all ${repos.length} repositories you can read`);
  return {
    repos,
    repo,
    months,
    windows: WINDOWS,
    scope,
    windowText: windowText(metrics.window),
    warnings: metrics.warnings.map((warning) => {
      const { shown, more } = firstOf(warning.ids, MAX_LINKS_SHOWN);
      return { title: WARNING_TITLES[warning.kind] ?? warning.kind, message: warning.message, links: links(shown), more };
    }),
    summary: [
      { label: "Hotfixes", value: String(metrics.hotfixes), target: "", warn: false },
      { label: "Merged", value: String(metrics.merged), target: "", warn: false },
      { label: "Hotfixes per month", value: metrics.frequencyPerMonth.toFixed(1), target: `warning above ${frequencyThreshold} (seed 001)`, warn: warned.has("frequent-hotfixes") },
      { label: "Time to resolution, median", value: formatDuration(metrics.resolution.medianMs), target: "under 60 min (seed 002)", warn: warned.has("long-resolution") },
      { label: "Time to resolution, 90th percentile", value: formatDuration(metrics.resolution.p90Ms), target: "", warn: warned.has("long-resolution") },
      { label: "Merged with a bypass", value: shareText(metrics.bypassed), target: "", warn: false },
      { label: "Bypasses justified", value: shareText(metrics.justified), target: "all", warn: metrics.justified.count < metrics.justified.of },
      { label: "Not fully verified", value: String(metrics.notFullyVerified), target: "", warn: false },
      { label: "Merge-backs overdue", value: String(metrics.mergeBacksOverdue), target: "none", warn: metrics.mergeBacksOverdue > 0 },
      { label: "Merge-back lag, median", value: formatDuration(metrics.mergeBackLag.medianMs), target: "", warn: false },
      { label: "Post-mortems on time", value: shareText(metrics.postMortemsOnTime), target: "100 % (seed 002)", warn: metrics.postMortemsOnTime.count < metrics.postMortemsOnTime.of },
      { label: "Post-mortems overdue", value: String(metrics.postMortemsOverdue), target: "none", warn: metrics.postMortemsOverdue > 0 },
      { label: "Post-mortems skipped", value: String(metrics.postMortemsSkipped), target: "none", warn: metrics.postMortemsSkipped > 0 },
      { label: "Repeat incidents", value: shareText(metrics.repeatShare), target: "under 10 % (seed 002)", warn: warned.has("repeat-incidents") },
    ],
    charts: [
      {
        id: "frequency",
        heading: "Hotfixes per month",
        svg: columnChart({
          id: "frequency",
          title: "Hotfixes per month",
          description: `Number of hotfixes in each month; months above ${frequencyThreshold} are marked with "!".`,
          columns: monthly,
          threshold: { value: frequencyThreshold, label: `warning above ${frequencyThreshold}` },
        }),
        caption: `Months above ${frequencyThreshold} hotfix${frequencyThreshold === 1 ? "" : "es"} are marked "!" (seed 001: more than one a month may indicate process issues).`,
        tableCaption: "Hotfixes per month (the chart's data)",
        columns: ["Month", "Hotfixes"],
        rows: monthly.map((entry) => [entry.label, `${entry.highlight ? "⚠ " : ""}${entry.value}`]),
      },
      {
        id: "shares",
        heading: "Bypasses, post-mortems and repeats",
        svg: barChart({
          id: "shares",
          title: "Shares of hotfixes, in percent",
          description: "Share merged with a bypass, share of bypasses justified, post-mortems on time and repeat incidents; dashed ticks mark seed 002's targets.",
          max: 100,
          bars: shares.map((entry) => ({ label: entry.label, value: percent(entry.share), display: shareText(entry.share), highlight: entry.highlight, ...(entry.target !== undefined ? { target: entry.target } : {}) })),
        }),
        caption: "Dashed ticks mark the targets: post-mortems 100 % within the due time, repeat incidents under 10 %.",
        tableCaption: "Shares (the chart's data)",
        columns: ["Measure", "Share", "Count"],
        rows: shares.map((entry) => [entry.label, `${entry.highlight ? "⚠ " : ""}${formatShare(entry.share.share)}`, `${entry.share.count} of ${entry.share.of}`]),
      },
      {
        id: "durations",
        heading: "Resolution time and merge-back lag",
        svg: barChart({
          id: "durations",
          title: "Resolution time and merge-back lag, in hours",
          description: "Median and 90th percentile of the time to resolution and of the time each merge-back target took after the merge.",
          max: longestHours,
          bars: durations.map((entry) => ({ label: entry.label, value: entry.ms === null ? null : entry.ms / 3_600_000, display: formatDuration(entry.ms), highlight: entry.highlight })),
        }),
        caption: "Time to resolution runs from the incident (or the pull request's opening) to the merge.",
        tableCaption: "Durations (the chart's data)",
        columns: ["Measure", "Duration"],
        rows: durations.map((entry) => [entry.label, `${entry.highlight ? "⚠ " : ""}${formatDuration(entry.ms)}`]),
      },
    ],
    lists: [
      {
        heading: "Repeat incidents",
        empty: "No repeat incident in this window.",
        ...listed(metrics.repeatIncidents, (group) => {
          const { shown, more } = firstOf(group.ids, MAX_LINKS_SHOWN);
          return { text: `${group.repo}: ${group.reason === "incident-reference" ? "same incident" : "same file"} ${group.key}:`, links: links(shown, group.repo), more };
        }),
      },
      {
        heading: "Hotfix-induced issues (quality escapes)",
        empty: "No hotfix was reverted or fixed again by a later hotfix in this window.",
        ...listed(metrics.qualityEscapes, (escape) => ({
          text: `${escape.repo}: ${escape.later} ${escape.kind === "reverted" ? "reverted" : "fixed again"} ${escape.earlier} on ${formatTime(escape.at)}`,
          links: links([escape.earlier], escape.repo),
          more: 0,
        })),
      },
      {
        heading: "Over the scope limits",
        empty: "No hotfix went over the scope limits in this window.",
        more: 0,
        items: metrics.overScope.length === 0 ? [] : [overScopeItem(metrics.overScope, links)],
      },
    ],
    exports: { csv: routes.exportFile("csv", repo, months), json: routes.exportFile("json", repo, months) },
  };
}

/** The exports page's view model. */
export function exportsView(routes: Routes, repos: readonly string[], repo: string | undefined, months: number, window: MetricsWindow) {
  return {
    repos,
    repo,
    months,
    windows: WINDOWS,
    scope: repo ?? `all ${repos.length} repositories you can read`,
    windowText: windowText(window),
    links: { markdown: routes.exportFile("md", repo, months), csv: routes.exportFile("csv", repo, months), json: routes.exportFile("json", repo, months) },
  };
}

