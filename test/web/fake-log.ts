/**
 * An in-memory hotfix log for the dashboard's tests: realistic records in three repositories
 * (`acme/payments`, `acme/checkout`, and the private `acme/vault` that the test users cannot
 * read), each with a timeline and metrics, and a reader that filters, pages and exports them the
 * way the interface says. Records carry a bypass justification and a hostile title so the tests
 * can check what reaches the page.
 */
import type {
  AuditVerdict,
  ExportOptions,
  HotfixDetail,
  HotfixLogReader,
  HotfixMetrics,
  HotfixRecord,
  LogExport,
  LogFilter,
  LogMetrics,
  LogPage,
  MetricsWindow,
  PageRequest,
  RepoName,
  Share,
  TimelineEvent,
} from "../../src/log/model.js";

/** The pinned time of the tests. */
export const NOW = new Date("2026-11-20T12:00:00Z");

/** A hostile pull request title. */
export const HOSTILE_TITLE = `<script>alert("x")</script><img src=x onerror=alert(1)> Fix "refund" & 'retry'`;
/** The title of the one record in the repository the test users cannot read. */
export const SECRET_TITLE = "Rotate leaked vault root credentials";
/** The bypass reason written in the justifications (audit detail). */
export const BYPASS_REASON = "Production completely down: card payments failing for all EU customers";
/** Who authorised the bypasses (audit detail). */
export const AUTHORISER = "maria-admin";

const HOUR = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function pad(n: number): string {
  return String(n).padStart(3, "0");
}

interface Seed {
  readonly repo: RepoName;
  readonly sequence: number;
  readonly daysAgo: number;
  readonly title: string;
  readonly severity: string | null;
  readonly verdict: AuditVerdict | null;
  readonly mergeBackDone: boolean;
  readonly postIncidentClosed: boolean | null;
  readonly resolutionHours: number;
}

function record(seed: Seed): HotfixRecord {
  const opened = NOW.getTime() - seed.daysAgo * 24 * HOUR;
  const merged = seed.verdict ? opened + seed.resolutionHours * HOUR : null;
  const id = `HOTFIX-${pad(seed.sequence)}`;
  const number = 100 + seed.sequence;
  const web = `https://github.com/${seed.repo}`;
  const bypass = seed.verdict === "justified-bypass" || seed.verdict === "unjustified-bypass";
  return {
    repo: seed.repo,
    id,
    sequence: seed.sequence,
    pullRequest: number,
    title: seed.title,
    headRef: `hotfix/v2.4.${seed.sequence}-fix`,
    baseRef: "main",
    state: merged ? "merged" : "open",
    dateTime: iso(opened),
    incidentAt: null,
    openedAt: iso(opened),
    mergedAt: merged ? iso(merged) : null,
    deployedAt: merged ? iso(merged + HOUR / 2) : null,
    severity: seed.severity,
    author: "dev-sam",
    merger: merged ? (bypass ? AUTHORISER : "lead-lee") : null,
    reviewers: bypass ? [] : ["lead-lee"],
    authoriser: seed.verdict === "justified-bypass" ? AUTHORISER : null,
    incidentReference: `INC-${2000 + seed.sequence}`,
    problem: "Card payments fail with a timeout from the gateway.\nAbout 30 % of checkouts.",
    impact: "All EU customers could not pay for 40 minutes.",
    whyEmergency: "Revenue loss of about 5,000 EUR a minute.",
    changeMade: "Raise the gateway client timeout from 2 s to 10 s and retry once.",
    filesAffected: ["src/payments/gateway.ts", "test/payments/gateway.test.ts"],
    additions: 12,
    deletions: 3,
    rollbackPlan: "Revert the merge commit and redeploy.",
    rootCause: "The gateway's p99 latency rose above 2 s after its upgrade.",
    riskAccepted: "Load test skipped.",
    monitoring: "Gateway error rate and p99 latency dashboards.",
    audit: seed.verdict
      ? {
          verdict: seed.verdict,
          unmet: seed.verdict === "compliant" ? [] : ["1 approval from a senior developer"],
          justification: bypass
            ? {
                incident: `INC-${2000 + seed.sequence}`,
                bypassReason: BYPASS_REASON,
                riskAssessment: "Low: timeout change only.",
                postIncidentActions: "Post-mortem within 48 hours.",
                authorizedBy: `@${AUTHORISER}`,
                timestamp: iso(merged ?? opened),
                assessment: seed.verdict === "justified-bypass" ? "Justified: the authoriser is an admin and merged it themself." : "Unjustified: the form names no allowed reason.",
              }
            : null,
          auditedAt: iso((merged ?? opened) + 60_000),
        }
      : null,
    tag: merged ? { name: `v2.4.${seed.sequence}`, at: iso(merged + 10 * 60_000) } : null,
    mergeBack: merged
      ? [
          { target: "develop", doneAt: seed.mergeBackDone ? iso(merged + 2 * HOUR) : null, evidence: seed.mergeBackDone ? `develop via #${number + 1}` : null },
          { target: "release/2.5", doneAt: seed.mergeBackDone ? iso(merged + 3 * HOUR) : null, evidence: seed.mergeBackDone ? "merge commit" : null },
        ]
      : [],
    postIncident:
      merged && seed.postIncidentClosed !== null
        ? { repo: seed.repo, number: number + 500, openedAt: iso(merged + 60_000), dueAt: iso(merged + 48 * HOUR), closedAt: seed.postIncidentClosed ? iso(merged + 30 * HOUR) : null }
        : null,
    links: {
      pullRequest: `${web}/pull/${number}`,
      auditComment: merged ? `${web}/pull/${number}#issuecomment-${number}9` : null,
      reminderIssue: merged ? `${web}/issues/${number + 400}` : null,
      postIncidentIssue: merged && seed.postIncidentClosed !== null ? `${web}/issues/${number + 500}` : null,
    },
    reverts: [],
    mentions: [],
    source: "live",
    updatedAt: iso(NOW.getTime()),
  };
}

function timeline(rec: HotfixRecord): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const opened = Date.parse(rec.openedAt ?? rec.dateTime);
  events.push({ kind: "branch-created", at: iso(opened - 20 * 60_000), subject: rec.headRef, actor: rec.author, detail: rec.headRef, url: null });
  events.push({ kind: "pr-opened", at: iso(opened), subject: "", actor: rec.author, detail: `#${rec.pullRequest}`, url: rec.links.pullRequest });
  if (rec.reviewers.length > 0) events.push({ kind: "review", at: iso(opened + 30 * 60_000), subject: "r1", actor: rec.reviewers[0] ?? null, detail: "approved", url: null });
  if (rec.mergedAt) {
    events.push({ kind: "merged", at: rec.mergedAt, subject: "", actor: rec.merger, detail: "into main", url: rec.links.pullRequest });
    for (const target of rec.mergeBack) if (target.doneAt) events.push({ kind: "merge-back-done", at: target.doneAt, subject: target.target, actor: null, detail: target.evidence ?? target.target, url: null });
    if (rec.postIncident) events.push({ kind: "post-incident-opened", at: rec.postIncident.openedAt, subject: String(rec.postIncident.number), actor: null, detail: `#${rec.postIncident.number}`, url: rec.links.postIncidentIssue });
    if (rec.postIncident?.closedAt) events.push({ kind: "post-incident-closed", at: rec.postIncident.closedAt, subject: String(rec.postIncident.number), actor: null, detail: `#${rec.postIncident.number}`, url: rec.links.postIncidentIssue });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

function hotfixMetrics(rec: HotfixRecord, now: Date): HotfixMetrics {
  const opened = Date.parse(rec.openedAt ?? rec.dateTime);
  const merged = rec.mergedAt ? Date.parse(rec.mergedAt) : null;
  const pi = rec.postIncident;
  const postMortem: HotfixMetrics["postMortem"] = !merged
    ? { status: "not-due" }
    : !pi
      ? { status: "skipped", dueAt: iso(merged + 48 * HOUR) }
      : pi.closedAt
        ? { status: "on-time", closedAt: pi.closedAt }
        : Date.parse(pi.dueAt ?? "") < now.getTime()
          ? { status: "overdue", dueAt: pi.dueAt ?? "" }
          : { status: "open", dueAt: pi.dueAt ?? "" };
  return {
    repo: rec.repo,
    id: rec.id,
    resolution: { from: "pr-opened", startedAt: rec.openedAt, toMergedMs: merged ? merged - opened : null, toDeployedMs: rec.deployedAt ? Date.parse(rec.deployedAt) - opened : null },
    reviewWaitMs: rec.reviewers.length > 0 ? 30 * 60_000 : null,
    mergeBack: rec.mergeBack.map((target) => ({
      target: target.target,
      lagMs: target.doneAt && merged ? Date.parse(target.doneAt) - merged : null,
      overdue: target.doneAt === null && merged !== null && now.getTime() - merged > 24 * HOUR,
    })),
    postMortem,
    overScope: false,
  };
}

function hasOpenFollowUp(rec: HotfixRecord): boolean {
  return rec.mergeBack.some((target) => target.doneAt === null) || (rec.postIncident !== null && rec.postIncident.closedAt === null);
}

function share(count: number, of: number): Share {
  return { count, of, share: of === 0 ? null : count / of };
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
}

const SEVERITIES = ["CRITICAL", "HIGH", "P0", "P1", "HIGH", "CRITICAL"];
const VERDICTS: AuditVerdict[] = ["compliant", "compliant", "justified-bypass", "compliant", "unjustified-bypass", "not-fully-verified", "compliant"];
const TITLES = [
  "Payment gateway timeout under load",
  "Null pointer in refund worker",
  "Session cookies lost after deploy",
  "Currency rounding error on invoices",
  "Checkout button disabled on Safari",
  "Rate limiter blocks all EU traffic",
];

/**
 * The realistic records: 30 in `acme/payments`, 18 in `acme/checkout` (one with the hostile
 * title unless `hostileTitle` is false, for the README's screenshots), 1 in `acme/vault`.
 */
export function sampleRecords({ hostileTitle = true } = {}): HotfixRecord[] {
  const records: HotfixRecord[] = [];
  const add = (repo: RepoName, count: number, offset: number) => {
    for (let i = 1; i <= count; i++) {
      records.push(
        record({
          repo,
          sequence: i,
          daysAgo: (count - i) * 6 + offset + 0.3,
          title: hostileTitle && repo === "acme/checkout" && i === count - 1 ? HOSTILE_TITLE : `${TITLES[(i + offset) % TITLES.length]}`,
          severity: SEVERITIES[(i + offset) % SEVERITIES.length] ?? null,
          verdict: i === count ? null : (VERDICTS[(i + offset) % VERDICTS.length] ?? "compliant"),
          mergeBackDone: i % 4 !== 0,
          postIncidentClosed: i % 5 === 0 ? null : i % 3 !== 0,
          resolutionHours: 1 + ((i * 7) % 20) / 4,
        }),
      );
    }
  };
  add("acme/payments", 30, 0);
  add("acme/checkout", 18, 2);
  records.push(record({ repo: "acme/vault", sequence: 1, daysAgo: 3, title: SECRET_TITLE, severity: "CRITICAL", verdict: "unjustified-bypass", mergeBackDone: false, postIncidentClosed: false, resolutionHours: 1 }));
  return records;
}

/** An in-memory {@link HotfixLogReader}; records which repositories each call was given. */
export class FakeLogReader implements HotfixLogReader {
  /** The `repos` argument of every call, to check the reader is never asked about unreadable repositories. */
  readonly askedFor: (readonly RepoName[])[] = [];

  constructor(
    readonly records: readonly HotfixRecord[] = sampleRecords(),
    private readonly now: () => Date = () => NOW,
  ) {}

  private inRepos(repos: readonly RepoName[]): HotfixRecord[] {
    this.askedFor.push(repos);
    const wanted = new Set(repos.map((repo) => repo.toLowerCase()));
    return this.records.filter((rec) => wanted.has(rec.repo.toLowerCase())).sort((a, b) => b.dateTime.localeCompare(a.dateTime));
  }

  private inWindow(repos: readonly RepoName[], window: MetricsWindow): HotfixRecord[] {
    return this.inRepos(repos).filter((rec) => rec.dateTime >= window.since && rec.dateTime < window.until);
  }

  async list(filter: LogFilter, page: PageRequest): Promise<LogPage> {
    const matching = this.inRepos(filter.repos).filter(
      (rec) =>
        (filter.severity === undefined || rec.severity?.toLowerCase() === filter.severity.toLowerCase()) &&
        (filter.verdict === undefined || rec.audit?.verdict === filter.verdict) &&
        (filter.openFollowUps === undefined || hasOpenFollowUp(rec) === filter.openFollowUps),
    );
    const start = (page.page - 1) * page.perPage;
    return { records: matching.slice(start, start + page.perPage), total: matching.length };
  }

  async get(repo: RepoName, id: string): Promise<HotfixDetail | null> {
    const rec = this.inRepos([repo]).find((candidate) => candidate.id === id);
    return rec ? { record: rec, timeline: timeline(rec), metrics: hotfixMetrics(rec, this.now()) } : null;
  }

  async metrics(repos: RepoName | readonly RepoName[], window: MetricsWindow): Promise<LogMetrics> {
    const list = typeof repos === "string" ? [repos] : repos;
    const recs = this.inWindow(list, window);
    const merged = recs.filter((rec) => rec.mergedAt);
    const perMonth = new Map<string, number>();
    for (let month = new Date(window.since); month.toISOString() < window.until; month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))) perMonth.set(month.toISOString().slice(0, 7), 0);
    for (const rec of recs) perMonth.set(rec.dateTime.slice(0, 7), (perMonth.get(rec.dateTime.slice(0, 7)) ?? 0) + 1);
    const metrics = recs.map((rec) => hotfixMetrics(rec, this.now()));
    const resolutions = metrics.map((m) => m.resolution.toMergedMs).filter((ms): ms is number => ms !== null);
    const lags = metrics.flatMap((m) => m.mergeBack.map((lag) => lag.lagMs)).filter((ms): ms is number => ms !== null);
    const bypassed = merged.filter((rec) => rec.audit?.verdict === "justified-bypass" || rec.audit?.verdict === "unjustified-bypass");
    const due = metrics.filter((m) => m.postMortem.status !== "not-due" && m.postMortem.status !== "open");
    const months = (Date.parse(window.until) - Date.parse(window.since)) / (30 * 24 * HOUR);
    const frequency = recs.length / Math.max(months, 1);
    const skipped = metrics.filter((m) => m.postMortem.status === "skipped");
    return {
      repos: list,
      window,
      hotfixes: recs.length,
      merged: merged.length,
      perMonth: [...perMonth].map(([month, count]) => ({ month, count })),
      frequencyPerMonth: frequency,
      resolution: { count: resolutions.length, medianMs: quantile(resolutions, 0.5), p90Ms: quantile(resolutions, 0.9) },
      bypassed: share(bypassed.length, merged.length),
      justified: share(bypassed.filter((rec) => rec.audit?.verdict === "justified-bypass").length, bypassed.length),
      notFullyVerified: merged.filter((rec) => rec.audit?.verdict === "not-fully-verified").length,
      mergeBacksOverdue: metrics.flatMap((m) => m.mergeBack).filter((lag) => lag.overdue).length,
      mergeBackLag: { medianMs: quantile(lags, 0.5), p90Ms: quantile(lags, 0.9) },
      postMortemsOnTime: share(due.filter((m) => m.postMortem.status === "on-time").length, due.length),
      postMortemsOverdue: metrics.filter((m) => m.postMortem.status === "overdue").length,
      postMortemsSkipped: skipped.length,
      repeatShare: share(0, recs.length),
      repeatIncidents: [],
      qualityEscapes: [],
      overScope: [],
      warnings: [
        ...(frequency > 1 ? [{ kind: "frequent-hotfixes" as const, message: `${frequency.toFixed(1)} hotfixes a month, more than 1 a month.`, value: frequency, threshold: 1, ids: [] }] : []),
        ...(skipped.length > 0 ? [{ kind: "post-mortems-skipped" as const, message: `${skipped.length} post-mortems skipped.`, value: skipped.length, threshold: 0, ids: skipped.map((m) => m.id) }] : []),
      ],
    };
  }

  private shown(repos: readonly RepoName[], window: MetricsWindow, options: ExportOptions): HotfixRecord[] {
    const allowed = new Set((options.auditDetails ?? []).map((repo) => repo.toLowerCase()));
    return this.inWindow(repos, window).map((rec) => (allowed.has(rec.repo.toLowerCase()) ? rec : { ...rec, authoriser: null, audit: rec.audit ? { ...rec.audit, justification: null } : null }));
  }

  async exportMarkdown(repos: readonly RepoName[], window: MetricsWindow, options: ExportOptions = {}): Promise<string> {
    return this.shown(repos, window, options)
      .map((rec) => `### 🚨 [${rec.id}] ${rec.title}\n\n**Repository:** ${rec.repo}\n**Who:** ${rec.author}\n**Bypass Reason:** ${rec.audit?.justification?.bypassReason ?? "none"}\n**Authorised By:** ${rec.authoriser ?? "none"}\n`)
      .join("\n---\n\n");
  }

  async exportCsv(repos: readonly RepoName[], window: MetricsWindow, options: ExportOptions = {}): Promise<string> {
    const rows = this.shown(repos, window, options).map((rec) => [rec.repo, rec.id, JSON.stringify(rec.title), rec.audit?.verdict ?? "", rec.authoriser ?? "", JSON.stringify(rec.audit?.justification?.bypassReason ?? "")].join(","));
    return ["repo,id,title,verdict,authoriser,bypass_reason", ...rows].join("\n");
  }

  async exportJson(repos: readonly RepoName[], window: MetricsWindow): Promise<LogExport> {
    const recs = this.inWindow(repos, window);
    return { generatedAt: this.now().toISOString(), window, metrics: await this.metrics(repos, window), hotfixes: recs.map((rec) => ({ ...rec, metrics: hotfixMetrics(rec, this.now()) })) };
  }
}
