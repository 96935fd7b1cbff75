/**
 * The hotfix log's metrics, as pure functions of the records (seed 001 "Success Metrics" and
 * "Warning Signs", seed 002 "Success Metrics"): per hotfix, time to resolution, review wait,
 * merge-back lag and whether the post-mortem was on time; per repository and window, frequency,
 * resolution percentiles, bypass shares, overdue follow-ups, repeat incidents, quality escapes and
 * the warning signs past their configured thresholds. No I/O; the clock is passed in.
 */
import type { HotfixConfig } from "../config/schema.js";
import type {
  HotfixMetrics,
  LogMetrics,
  MergeBackLag,
  MetricsRecord,
  MetricsWindow,
  MonthlyCount,
  PostMortemStatus,
  QualityEscape,
  RepeatIncident,
  RepoName,
  ResolutionTime,
  Share,
  WarningSign,
} from "../log/model.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A month of the frequency figure: 30 days. */
const MONTH_MS = 30 * DAY_MS;

/** What the metrics of one repository depend on, taken from its configuration. */
export interface MetricsSettings {
  /** `merge_back.escalate_after_hours`: a target not done by then is overdue. */
  readonly escalateAfterHours: number;
  /** `post_incident.due_hours`: the due time when the record has none of its own. */
  readonly postIncidentDueHours: number;
  /** `metrics.repeat_within_days`. */
  readonly repeatWithinDays: number;
  readonly warnings: {
    readonly maxHotfixesPerMonth: number;
    readonly maxResolutionHours: number;
    readonly maxOverScope: number;
    readonly maxPostMortemsSkipped: number;
    readonly maxRepeatShare: number;
    readonly maxQualityEscapes: number;
  };
}

/** The settings of a repository from its configuration. */
export function metricsSettings(config: HotfixConfig): MetricsSettings {
  const { warnings } = config.metrics;
  return {
    escalateAfterHours: config.merge_back.escalate_after_hours,
    postIncidentDueHours: config.post_incident.due_hours,
    repeatWithinDays: config.metrics.repeat_within_days,
    warnings: {
      maxHotfixesPerMonth: warnings.max_hotfixes_per_month,
      maxResolutionHours: warnings.max_resolution_hours,
      maxOverScope: warnings.max_over_scope,
      maxPostMortemsSkipped: warnings.max_post_mortems_skipped,
      maxRepeatShare: warnings.max_repeat_share,
      maxQualityEscapes: warnings.max_quality_escapes,
    },
  };
}

/** The seeds' defaults, for a repository whose configuration the log has not seen. */
export const DEFAULT_METRICS_SETTINGS: MetricsSettings = {
  escalateAfterHours: 24,
  postIncidentDueHours: 48,
  repeatWithinDays: 30,
  warnings: { maxHotfixesPerMonth: 1, maxResolutionHours: 1, maxOverScope: 0, maxPostMortemsSkipped: 0, maxRepeatShare: 0.1, maxQualityEscapes: 0 },
};

/**
 * Times and incident references already read during one window's metrics, which read each
 * record's times several times over, for thousands of records: parsing them again dominated.
 * Set only while {@link logMetrics} runs (it is synchronous), so they never outlive the call.
 */
let seen: { readonly times: Map<string, number | null>; readonly references: Map<string, string | null> } | null = null;

function time(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const known = seen?.times.get(iso);
  if (known !== undefined) return known;
  const ms = Date.parse(iso);
  const parsed = Number.isNaN(ms) ? null : ms;
  seen?.times.set(iso, parsed);
  return parsed;
}

/** `to - from` in ms; null when either is unknown or `to` precedes `from`. */
function span(from: string | null | undefined, to: string | null | undefined): number | null {
  const start = time(from);
  const end = time(to);
  return start === null || end === null || end < start ? null : end - start;
}

// ── One hotfix ─────────────────────────────────────────────────────────────────────────────────

/** Time to resolution: from the incident's own time (else the PR's opening) to merged and to deployed. */
export function resolutionTime(record: MetricsRecord): ResolutionTime {
  const incident = record.incidentAt !== null && time(record.incidentAt) !== null;
  const startedAt = incident ? record.incidentAt : record.openedAt;
  return { from: incident ? "incident" : "pr-opened", startedAt, toMergedMs: span(startedAt, record.mergedAt), toDeployedMs: span(startedAt, record.deployedAt) };
}

/** Review wait: from the first review request (else the PR's opening) to the first review. */
export function reviewWait(record: MetricsRecord): number | null {
  return span(record.firstReviewRequestedAt ?? record.openedAt, record.firstReviewAt ?? null);
}

/** Lag per merge-back target after the merge; a pending target past the escalation time is overdue. */
export function mergeBackLags(record: MetricsRecord, settings: MetricsSettings, now: Date): MergeBackLag[] {
  const merged = time(record.mergedAt);
  return record.mergeBack.map((target) => ({
    target: target.target,
    lagMs: target.doneAt && target.timeKnown !== false ? (span(record.mergedAt, target.doneAt) ?? 0) : null,
    overdue: target.doneAt === null && merged !== null && now.getTime() > merged + settings.escalateAfterHours * HOUR_MS,
  }));
}

/** Whether the post-incident review was closed within its due time. */
export function postMortemStatus(record: MetricsRecord, settings: MetricsSettings, now: Date): PostMortemStatus {
  const { status, dueAt, closedAt, lateByMs } = postMortemReading(record, settings, now);
  switch (status) {
    case "not-due":
      return { status };
    case "on-time":
      return { status, closedAt: closedAt as string };
    case "late":
      return { status, closedAt: closedAt as string, lateByMs };
    default:
      return { status, dueAt: dueAt instanceof Date ? dueAt.toISOString() : (dueAt as string) };
  }
}

/**
 * A post-incident review's status, with its due time as recorded or, when configured, as a date
 * whose text is written only when shown: a window's metrics count thousands of statuses and show
 * none of their due times.
 */
interface PostMortemReading {
  readonly status: PostMortemStatus["status"];
  readonly dueAt: string | Date | null;
  readonly closedAt: string | null;
  readonly lateByMs: number;
}

function postMortemReading(record: MetricsRecord, settings: MetricsSettings, now: Date): PostMortemReading {
  const merged = time(record.mergedAt);
  if (merged === null) return { status: "not-due", dueAt: null, closedAt: null, lateByMs: 0 };
  const post = record.postIncident;
  const dueAt = post?.dueAt ?? new Date(merged + settings.postIncidentDueHours * HOUR_MS);
  const due = dueAt instanceof Date ? dueAt.getTime() : (time(dueAt) ?? merged);
  if (!post) return { status: now.getTime() > due ? "skipped" : "not-due", dueAt, closedAt: null, lateByMs: 0 };
  const closed = time(post.closedAt);
  if (closed !== null && post.closedAt) return closed <= due ? { status: "on-time", dueAt, closedAt: post.closedAt, lateByMs: 0 } : { status: "late", dueAt, closedAt: post.closedAt, lateByMs: closed - due };
  return { status: now.getTime() > due ? "overdue" : "open", dueAt, closedAt: null, lateByMs: 0 };
}

/** Every per-hotfix metric. */
export function hotfixMetrics(record: MetricsRecord, settings: MetricsSettings, now: Date): HotfixMetrics {
  return {
    repo: record.repo,
    id: record.id,
    resolution: resolutionTime(record),
    reviewWaitMs: reviewWait(record),
    mergeBack: mergeBackLags(record, settings, now),
    postMortem: postMortemStatus(record, settings, now),
    overScope: record.overScope === true,
  };
}

// ── A window ───────────────────────────────────────────────────────────────────────────────────

/** The value at the nearest-rank percentile `p` (0–100) of the values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileOfSorted(ascending(values), p);
}

/** The median: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  return medianOfSorted(ascending(values));
}

function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

function medianOfSorted(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function share(count: number, of: number): Share {
  return { count, of, share: of === 0 ? null : count / of };
}

/** A window's bounds in epoch ms (an unreadable bound reads as 0). */
interface Bounds {
  readonly since: number;
  readonly until: number;
}

function boundsOf(window: MetricsWindow): Bounds {
  return { since: time(window.since) ?? 0, until: time(window.until) ?? 0 };
}

function within(at: number | null, bounds: Bounds): boolean {
  return at !== null && at >= bounds.since && at < bounds.until;
}

/**
 * A record with its `dateTime` in epoch ms. A window's metrics compare each record's time many
 * times over thousands of records: parsed once here, not at every comparison.
 */
interface Timed {
  readonly record: MetricsRecord;
  readonly at: number | null;
}

function timed(records: readonly MetricsRecord[]): Timed[] {
  return records.map((record) => ({ record, at: time(record.dateTime) }));
}

/** Calendar months (UTC) from the window's start to its end, each with its count of hotfixes. */
export function monthlyCounts(records: readonly MetricsRecord[], window: MetricsWindow): MonthlyCount[] {
  const start = new Date(time(window.since) ?? 0);
  const end = (time(window.until) ?? 0) - 1;
  const counts = new Map<string, number>();
  for (let year = start.getUTCFullYear(), month = start.getUTCMonth(); Date.UTC(year, month, 1) <= end; month === 11 ? ((month = 0), (year += 1)) : (month += 1)) {
    counts.set(`${year}-${String(month + 1).padStart(2, "0")}`, 0);
  }
  for (const record of records) {
    const key = record.dateTime.slice(0, 7);
    if (counts.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([month, count]) => ({ month, count }));
}

function normalisedReference(reference: string | null): string | null {
  if (reference === null) return null;
  const known = seen?.references.get(reference);
  if (known !== undefined) return known;
  const text = reference.trim().toLowerCase().replace(/[\s.]+$/u, "") || null;
  seen?.references.set(reference, text);
  return text;
}

function byTime(a: Timed, b: Timed): number {
  return (a.at ?? 0) - (b.at ?? 0) || a.record.sequence - b.record.sequence;
}

/** The records by repository (in order of first appearance), each repository's oldest first. */
function inTimeByRepo(history: readonly Timed[]): Map<RepoName, Timed[]> {
  const byRepo = new Map<RepoName, Timed[]>();
  for (const entry of history) {
    const list = byRepo.get(entry.record.repo);
    if (list) list.push(entry);
    else byRepo.set(entry.record.repo, [entry]);
  }
  for (const list of byRepo.values()) list.sort(byTime);
  return byRepo;
}

/**
 * Repeat incidents among the hotfixes in the window: those naming the same incident reference as
 * another hotfix of the repository, and those changing a file that a hotfix of the repository
 * changed within `repeatWithinDays` before. `history` holds every record up to the window's end.
 * Returns the groups and the ids in the window that repeat an earlier hotfix.
 */
export function repeatIncidents(history: readonly MetricsRecord[], window: MetricsWindow, settingsFor: (repo: RepoName) => MetricsSettings): { groups: RepeatIncident[]; repeating: Set<string> } {
  return repeatsAmong(inTimeByRepo(timed(history)), boundsOf(window), settingsFor);
}

function repeatsAmong(byRepo: ReadonlyMap<RepoName, readonly Timed[]>, bounds: Bounds, settingsFor: (repo: RepoName) => MetricsSettings): { groups: RepeatIncident[]; repeating: Set<string> } {
  const groups: RepeatIncident[] = [];
  const repeating = new Set<string>();
  const key = (record: MetricsRecord) => `${record.repo}\u0000${record.id}`;
  for (const [repo, sorted] of byRepo) {
    const references = new Map<string, Timed[]>();
    for (const entry of sorted) {
      const reference = normalisedReference(entry.record.incidentReference);
      const same = reference ? references.get(reference) : undefined;
      if (same) same.push(entry);
      else if (reference) references.set(reference, [entry]);
    }
    for (const [reference, same] of references) {
      if (same.length < 2 || !same.some((entry) => within(entry.at, bounds))) continue;
      groups.push({ repo, reason: "incident-reference", key: reference, ids: same.map((entry) => entry.record.id) });
      for (const entry of same.slice(1)) if (within(entry.at, bounds)) repeating.add(key(entry.record));
    }
    const withinMs = settingsFor(repo).repeatWithinDays * DAY_MS;
    const files = new Map<string, { key: string; ids: string[]; listed: Set<string> }>();
    for (const [index, { record, at }] of sorted.entries()) {
      if (at === null || !within(at, bounds) || record.filesAffected.length === 0) continue;
      let repeats = false;
      for (let before = index - 1; before >= 0 && at - ((sorted[before] as Timed).at ?? 0) <= withinMs; before -= 1) {
        const earlier = (sorted[before] as Timed).record;
        const shared = record.filesAffected.find((file) => earlier.filesAffected.includes(file));
        if (shared === undefined) continue;
        repeats = true;
        const group = files.get(shared) ?? { key: shared, ids: [], listed: new Set<string>() };
        for (const id of [earlier.id, record.id]) {
          if (!group.listed.has(id)) group.ids.push(id);
          group.listed.add(id);
        }
        files.set(shared, group);
      }
      if (repeats) repeating.add(key(record));
    }
    for (const group of files.values()) groups.push({ repo, reason: "same-files", key: group.key, ids: group.ids });
  }
  return { groups, repeating };
}

const HOTFIX_ID = /^HOTFIX-(\d{1,9})$/i;
const PR_REFERENCE = /^#(\d{1,9})$/;

/**
 * Quality escapes (seed 001 "hotfix-induced issues"): a hotfix reverted by a later pull request,
 * or named (by id or pull request number) by a later hotfix of the same repository. Counted when
 * the later one falls in the window; listed by repository, oldest first.
 */
export function qualityEscapes(history: readonly MetricsRecord[], window: MetricsWindow): QualityEscape[] {
  return escapesAmong(inTimeByRepo(timed(history)), boundsOf(window));
}

function escapesAmong(byRepo: ReadonlyMap<RepoName, readonly Timed[]>, bounds: Bounds): QualityEscape[] {
  const escapes: QualityEscape[] = [];
  const history = [...byRepo.values()].flat();
  let indexes: { byNumber: Map<string, Timed>; bySequence: Map<string, Timed> } | undefined;
  /** The records by pull request and by sequence number, built when a record first names another. */
  const find = (by: "byNumber" | "bySequence", key: string): Timed | undefined => {
    indexes ??= {
      byNumber: new Map(history.map((entry) => [`${entry.record.repo}#${entry.record.pullRequest}`, entry])),
      bySequence: new Map(history.map((entry) => [`${entry.record.repo}@${entry.record.sequence}`, entry])),
    };
    return indexes[by].get(key);
  };
  const seen = new Set<string>();
  const add = (escape: QualityEscape) => {
    const id = `${escape.repo}\u0000${escape.earlier}\u0000${escape.later}`;
    if (!seen.has(id)) escapes.push(escape);
    seen.add(id);
  };
  for (const entry of history) {
    const later = entry.record;
    if (within(entry.at, bounds)) {
      for (const number of later.reverts) {
        const earlier = find("byNumber", `${later.repo}#${number}`)?.record;
        if (earlier && earlier !== later) add({ repo: later.repo, earlier: earlier.id, later: later.id, kind: "reverted", at: later.mergedAt ?? later.dateTime });
      }
      for (const mention of later.mentions) {
        const id = HOTFIX_ID.exec(mention);
        const pr = PR_REFERENCE.exec(mention);
        const earlier = id ? find("bySequence", `${later.repo}@${Number(id[1])}`) : pr ? find("byNumber", `${later.repo}#${Number(pr[1])}`) : undefined;
        if (earlier && earlier.record !== later && byTime(earlier, entry) < 0) add({ repo: later.repo, earlier: earlier.record.id, later: later.id, kind: "named-by-later-hotfix", at: later.dateTime });
      }
    }
    const revert = later.revertedBy;
    if (revert && within(time(revert.at), bounds)) add({ repo: later.repo, earlier: later.id, later: `#${revert.pullRequest}`, kind: "reverted", at: revert.at });
  }
  return escapes;
}

function hours(ms: number): string {
  return ms >= 48 * HOUR_MS ? `${(ms / DAY_MS).toFixed(1)} days` : `${(ms / HOUR_MS).toFixed(1)} h`;
}

/**
 * The metrics of the records of `repos` over the window. `history` holds the repositories'
 * records (at least those up to the window's end; earlier ones find repeats and escapes);
 * `settingsFor` gives each repository's settings, the first repository's thresholds deciding
 * the warning signs of several together. Lists of hotfixes go by repository (in the order of
 * `history`), each repository's oldest first, whatever the order of `history` within a repository.
 */
export function logMetrics(history: readonly MetricsRecord[], repos: readonly RepoName[], window: MetricsWindow, settingsFor: (repo: RepoName) => MetricsSettings, now: Date): LogMetrics {
  const outer = seen;
  seen ??= { times: new Map(), references: new Map() };
  try {
    return windowMetrics(history, repos, window, settingsFor, now);
  } finally {
    seen = outer;
  }
}

function windowMetrics(history: readonly MetricsRecord[], repos: readonly RepoName[], window: MetricsWindow, settingsFor: (repo: RepoName) => MetricsSettings, now: Date): LogMetrics {
  const wanted = new Set(repos.map((repo) => repo.toLowerCase()));
  const isWanted = new Map<RepoName, boolean>();
  const bounds = boundsOf(window);
  const own: Timed[] = [];
  for (const record of history) {
    let included = isWanted.get(record.repo);
    if (included === undefined) isWanted.set(record.repo, (included = wanted.has(record.repo.toLowerCase())));
    if (!included) continue;
    const at = time(record.dateTime);
    if ((at ?? 0) < bounds.until) own.push({ record, at });
  }
  const byRepo = inTimeByRepo(own);
  const records: MetricsRecord[] = [];
  for (const entries of byRepo.values()) for (const entry of entries) if (within(entry.at, bounds)) records.push(entry.record);
  const perHotfix = records.map((record) => {
    const settings = settingsFor(record.repo);
    return { record, toMergedMs: resolutionTime(record).toMergedMs, mergeBack: mergeBackLags(record, settings, now), postMortem: postMortemReading(record, settings, now).status };
  });
  const merged = records.filter((record) => record.mergedAt !== null);
  const audited = merged.filter((record) => record.audit !== null);
  const bypassed = audited.filter((record) => record.audit?.verdict === "justified-bypass" || record.audit?.verdict === "unjustified-bypass");
  const justified = bypassed.filter((record) => record.audit?.verdict === "justified-bypass");
  const resolutions: number[] = [];
  const lags: number[] = [];
  for (const { toMergedMs, mergeBack } of perHotfix) {
    if (toMergedMs !== null) resolutions.push(toMergedMs);
    for (const lag of mergeBack) if (lag.lagMs !== null) lags.push(lag.lagMs);
  }
  resolutions.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const postMortems = perHotfix.map(({ postMortem }) => postMortem);
  const due = postMortems.filter((status) => status !== "not-due" && status !== "open");
  const { groups, repeating } = repeatsAmong(byRepo, bounds, settingsFor);
  const escapes = escapesAmong(byRepo, bounds);
  const overScope = records.filter((record) => record.overScope === true).map((record) => record.id);
  const windowMs = Math.max(1, (time(window.until) ?? 0) - (time(window.since) ?? 0));
  const base = {
    repos: [...repos],
    window,
    hotfixes: records.length,
    merged: merged.length,
    perMonth: monthlyCounts(records, window),
    frequencyPerMonth: records.length / (windowMs / MONTH_MS),
    resolution: { count: resolutions.length, medianMs: medianOfSorted(resolutions), p90Ms: percentileOfSorted(resolutions, 90) },
    bypassed: share(bypassed.length, audited.length),
    justified: share(justified.length, bypassed.length),
    notFullyVerified: audited.filter((record) => record.audit?.verdict === "not-fully-verified").length,
    mergeBacksOverdue: perHotfix.reduce((sum, { mergeBack }) => sum + mergeBack.filter((lag) => lag.overdue).length, 0),
    mergeBackLag: { medianMs: medianOfSorted(lags), p90Ms: percentileOfSorted(lags, 90) },
    postMortemsOnTime: share(postMortems.filter((status) => status === "on-time").length, due.length),
    postMortemsOverdue: postMortems.filter((status) => status === "overdue").length,
    postMortemsSkipped: postMortems.filter((status) => status === "skipped").length,
    repeatShare: share(repeating.size, records.length),
    repeatIncidents: groups,
    qualityEscapes: escapes,
    overScope,
  };
  const missed = perHotfix.filter(({ postMortem }) => postMortem === "overdue" || postMortem === "skipped" || postMortem === "late").map(({ record }) => record.id);
  const settings = settingsFor(repos[0] ?? "");
  return { ...base, warnings: warningSigns(base, missed, settings.warnings) };
}

/** The ids of the lists, each once, in order of first appearance. */
function distinctIds(lists: readonly (readonly string[])[]): string[] {
  const ids = new Set<string>();
  for (const list of lists) for (const id of list) ids.add(id);
  return [...ids];
}

/** Seed 001's warning signs whose thresholds the window's figures cross. */
export function warningSigns(
  metrics: Omit<LogMetrics, "warnings">,
  postMortemsMissed: readonly string[],
  thresholds: MetricsSettings["warnings"],
): WarningSign[] {
  const signs: WarningSign[] = [];
  if (metrics.frequencyPerMonth > thresholds.maxHotfixesPerMonth) {
    signs.push({
      kind: "frequent-hotfixes",
      message: `${metrics.frequencyPerMonth.toFixed(1)} hotfixes a month, above the threshold of ${thresholds.maxHotfixesPerMonth}: frequent hotfixes may indicate process issues.`,
      value: metrics.frequencyPerMonth,
      threshold: thresholds.maxHotfixesPerMonth,
      ids: [],
    });
  }
  const medianMs = metrics.resolution.medianMs;
  if (medianMs !== null && medianMs > thresholds.maxResolutionHours * HOUR_MS) {
    signs.push({
      kind: "long-resolution",
      message: `Median time to resolution ${hours(medianMs)}, above ${thresholds.maxResolutionHours} h: the process may be too cumbersome.`,
      value: medianMs / HOUR_MS,
      threshold: thresholds.maxResolutionHours,
      ids: [],
    });
  }
  if (metrics.overScope.length > thresholds.maxOverScope) {
    signs.push({
      kind: "scope-creep",
      message: `${metrics.overScope.length} hotfix(es) over the scope limits (threshold ${thresholds.maxOverScope}): hotfixes including non-emergency changes.`,
      value: metrics.overScope.length,
      threshold: thresholds.maxOverScope,
      ids: metrics.overScope,
    });
  }
  if (postMortemsMissed.length > thresholds.maxPostMortemsSkipped) {
    signs.push({
      kind: "post-mortems-skipped",
      message: `${postMortemsMissed.length} post-incident review(s) skipped, overdue or late (threshold ${thresholds.maxPostMortemsSkipped}).`,
      value: postMortemsMissed.length,
      threshold: thresholds.maxPostMortemsSkipped,
      ids: [...postMortemsMissed],
    });
  }
  const repeatShare = metrics.repeatShare.share;
  if (repeatShare !== null && repeatShare > thresholds.maxRepeatShare) {
    signs.push({
      kind: "repeat-incidents",
      message: `${Math.round(repeatShare * 100)} % of hotfixes repeat an earlier incident, above ${Math.round(thresholds.maxRepeatShare * 100)} %.`,
      value: repeatShare,
      threshold: thresholds.maxRepeatShare,
      ids: distinctIds(metrics.repeatIncidents.map((group) => group.ids)),
    });
  }
  if (metrics.qualityEscapes.length > thresholds.maxQualityEscapes) {
    signs.push({
      kind: "quality-escapes",
      message: `${metrics.qualityEscapes.length} hotfix(es) reverted or fixed again by a later hotfix (threshold ${thresholds.maxQualityEscapes}): hotfix-induced issues.`,
      value: metrics.qualityEscapes.length,
      threshold: thresholds.maxQualityEscapes,
      ids: [...new Set(metrics.qualityEscapes.map((escape) => escape.earlier))],
    });
  }
  return signs;
}
