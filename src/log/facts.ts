/**
 * The hotfix record as the store keeps it: a set of named facts, each with its value and its own
 * time (`{ v, t }`, t in epoch ms: GitHub's time for what it says, never the delivery's arrival).
 * The store merges fact sets per name, keeping the newest (for `^`-prefixed names, the oldest:
 * first review, first deployment), so facts recorded twice, out of order, or once live and once by
 * a backfill converge on the same record. This module names the facts and turns a stored set
 * back into a {@link HotfixRecord}.
 */
import type { HotfixRecord, MergeBackTargetState, MetricsRecord, PostIncidentState, RecordedAudit, RecordSource, RecordedTag, TimelineEventKind } from "./model.js";

/** One stored fact: its value and its own time in epoch ms. */
export interface StoredFact {
  readonly v: unknown;
  readonly t: number;
}

/** A set of facts by name. */
export type FactSet = Record<string, StoredFact>;

/** Fact names whose oldest value wins. */
export const FIRST = {
  deployedAt: "^deployedAt",
  /** The post-incident issue: found again by later audits, it keeps the time it was first seen. */
  postIncident: "^postIncident",
  reviewRequestedAt: "^reviewRequestedAt",
  reviewAt: "^reviewAt",
} as const;

/** The fact name of one reviewer (first review wins, so reviewers keep the order of their first review). */
export function reviewerFact(login: string): string {
  return `^reviewer:${login.toLowerCase()}`;
}

/** The fact name of one merge-back target. */
export function mergeBackFact(target: string): string {
  return `mergeBack:${target}`;
}

/** Stamps of a target done at a known time count down from here, so the earliest known time wins. */
const DONE_STAMP_BASE = 1e15;
/** The stamp of a target found done at an unknown time: above any pending stamp, below any known time. */
const DONE_AT_UNKNOWN_TIME = 1e14;

/**
 * The stamp of a merge-back target's state. Newest-wins would let a later re-check move the time a
 * target got the fix; so a pending state is stamped with when it was seen (epoch ms), a done state
 * with a value above every pending stamp that is larger the earlier it was done, and a done state
 * of unknown time (from a backfill) with one that any known time beats.
 */
export function mergeBackStamp(target: { readonly doneAt: string | null; readonly timeKnown?: boolean }, seenAt: Date): number {
  if (!target.doneAt) return seenAt.getTime();
  if (target.timeKnown === false) return DONE_AT_UNKNOWN_TIME;
  return DONE_STAMP_BASE - Date.parse(target.doneAt);
}

/** The readable id of sequence number `n`: `HOTFIX-007`. */
export function hotfixId(sequence: number): string {
  return `HOTFIX-${String(sequence).padStart(3, "0")}`;
}

/** The sequence number of a readable id, or null when it is not one. */
export function sequenceOf(id: string): number | null {
  const match = /^HOTFIX-(\d{1,9})$/i.exec(id.trim());
  return match ? Number(match[1]) : null;
}

/** Builds a fact set from values stamped at `at`, leaving out values that are undefined. */
export function factsAt(at: string | Date | number, values: Record<string, unknown>): FactSet {
  const t = typeof at === "number" ? at : new Date(at).getTime();
  if (Number.isNaN(t)) throw new RangeError(`a fact needs a valid time (got ${String(at)})`);
  const set: FactSet = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) set[name] = { v: value, t };
  return set;
}

/** Merges fact sets as the store does (used to build a set from several stamps before one write). */
export function mergeFacts(...sets: readonly FactSet[]): FactSet {
  const merged: FactSet = {};
  for (const set of sets) {
    for (const [name, fact] of Object.entries(set)) {
      const old = merged[name];
      const keepOld = old !== undefined && (name.startsWith("^") ? old.t <= fact.t : old.t > fact.t);
      if (!keepOld) merged[name] = fact;
    }
  }
  return merged;
}

function value<T>(facts: FactSet, name: string): T | null {
  const fact = facts[name];
  return fact === undefined || fact.v === undefined ? null : (fact.v as T);
}

function text(facts: FactSet, name: string): string | null {
  const found = value<unknown>(facts, name);
  return typeof found === "string" ? found : null;
}

function strings(facts: FactSet, name: string): string[] {
  const found = value<unknown>(facts, name);
  return Array.isArray(found) ? found.filter((item): item is string => typeof item === "string") : [];
}

function numbers(facts: FactSet, name: string): number[] {
  const found = value<unknown>(facts, name);
  return Array.isArray(found) ? found.filter((item): item is number => typeof item === "number") : [];
}

function count(facts: FactSet, name: string): number | null {
  const found = value<unknown>(facts, name);
  return typeof found === "number" ? found : null;
}

/** A stored record, as the store's row gives it. */
export interface StoredRecord {
  readonly repo: string;
  readonly pr: number;
  readonly seq: number;
  readonly facts: FactSet;
  readonly source: RecordSource;
  readonly updatedAt: string;
}

/** The pull request's URL on github.com or a GitHub Enterprise Server, from the stored link. */
function pullRequestUrl(stored: StoredRecord): string {
  return text(stored.facts, "link:pullRequest") ?? `https://github.com/${stored.repo}/pull/${stored.pr}`;
}

/** The record a stored fact set describes. */
export function toRecord(stored: StoredRecord): HotfixRecord {
  const { facts } = stored;
  const openedAt = text(facts, "openedAt");
  const incidentAt = text(facts, "incidentAt");
  const mergedAt = text(facts, "mergedAt");
  const mergeBack: MergeBackTargetState[] = Object.entries(facts)
    .filter(([name]) => name.startsWith("mergeBack:"))
    .map(([name, fact]) => {
      const state = (fact.v ?? {}) as { doneAt?: string | null; evidence?: string | null; timeKnown?: boolean };
      return { target: name.slice("mergeBack:".length), doneAt: state.doneAt ?? null, evidence: state.evidence ?? null, ...(state.timeKnown === false ? { timeKnown: false } : {}) };
    })
    .sort((a, b) => a.target.localeCompare(b.target));
  const reviewers = Object.entries(facts)
    .filter(([name]) => name.startsWith("^reviewer:"))
    .sort(([, a], [, b]) => a.t - b.t)
    .map(([name, fact]) => (typeof fact.v === "string" ? fact.v : name.slice("^reviewer:".length)));
  const post = value<Omit<PostIncidentState, "closedAt">>(facts, FIRST.postIncident);
  const postIncident: PostIncidentState | null = post ? { ...post, closedAt: text(facts, "postIncidentClosedAt") } : null;
  const issueUrl = (ref: { repo: string; number: number } | null) => (ref ? `${pullRequestUrl(stored).replace(/\/[^/]+\/[^/]+\/pull\/\d+$/, "")}/${ref.repo}/issues/${ref.number}` : null);
  const reminder = value<{ repo: string; number: number }>(facts, "reminderIssue");
  const revertedBy = value<{ pullRequest: number; at: string }>(facts, "revertedBy");
  return {
    repo: stored.repo,
    id: hotfixId(stored.seq),
    sequence: stored.seq,
    pullRequest: stored.pr,
    title: text(facts, "title") ?? `#${stored.pr}`,
    headRef: text(facts, "headRef") ?? "",
    baseRef: text(facts, "baseRef") ?? "",
    state: (text(facts, "state") as HotfixRecord["state"] | null) ?? (mergedAt ? "merged" : "open"),
    dateTime: incidentAt ?? openedAt ?? mergedAt ?? stored.updatedAt,
    incidentAt,
    openedAt,
    mergedAt,
    deployedAt: text(facts, FIRST.deployedAt),
    severity: text(facts, "severity"),
    author: text(facts, "author"),
    merger: text(facts, "merger"),
    reviewers,
    authoriser: text(facts, "authoriser"),
    incidentReference: text(facts, "incidentReference"),
    problem: text(facts, "problem"),
    impact: text(facts, "impact"),
    whyEmergency: text(facts, "whyEmergency"),
    changeMade: text(facts, "changeMade"),
    filesAffected: strings(facts, "filesAffected"),
    additions: count(facts, "additions"),
    deletions: count(facts, "deletions"),
    rollbackPlan: text(facts, "rollbackPlan"),
    rootCause: text(facts, "rootCause"),
    riskAccepted: text(facts, "riskAccepted"),
    monitoring: text(facts, "monitoring"),
    audit: value<RecordedAudit>(facts, "audit"),
    tag: value<RecordedTag>(facts, "tag"),
    mergeBack,
    postIncident,
    links: {
      pullRequest: pullRequestUrl(stored),
      auditComment: text(facts, "link:auditComment") ?? (count(facts, "auditCommentId") === null ? null : `${pullRequestUrl(stored)}#issuecomment-${count(facts, "auditCommentId")}`),
      reminderIssue: issueUrl(reminder),
      postIncidentIssue: issueUrl(post),
    },
    reverts: numbers(facts, "reverts"),
    mentions: strings(facts, "mentions"),
    source: stored.source,
    updatedAt: stored.updatedAt,
    mergeCommitSha: text(facts, "mergeSha"),
    firstReviewRequestedAt: text(facts, FIRST.reviewRequestedAt),
    firstReviewAt: text(facts, FIRST.reviewAt),
    overScope: value<boolean>(facts, "overScope") === true,
    revertedBy,
  };
}

/**
 * A record's metric summary as the store keeps it beside the facts (migration 4,
 * `hotfix_metric_summary`): the values of the facts the metrics read, copied as stored, in a
 * fixed order (the metrics read thousands at once). The audit and the post-incident issue, when
 * recorded, are one-item lists of the one value the metrics read of them; each merge-back target
 * is `[doneAt, timeKnown]`. A record's history summary is the first eight values: what repeats and
 * quality escapes read of a record from before the window.
 */
export type MetricSummary = readonly [
  pullRequest: number,
  sequence: number,
  incidentAt: unknown,
  openedAt: unknown,
  mergedAt: unknown,
  incidentReference: unknown,
  filesAffected: unknown,
  revertedBy: unknown,
  deployedAt?: unknown,
  reviewRequestedAt?: unknown,
  reviewAt?: unknown,
  audit?: readonly [verdict: unknown] | null,
  postIncident?: readonly [dueAt: unknown] | null,
  postIncidentClosedAt?: unknown,
  mergeBack?: Readonly<Record<string, readonly [doneAt: unknown, timeKnown: unknown]>> | null,
  overScope?: unknown,
  reverts?: unknown,
  mentions?: unknown,
];

function summaryText(found: unknown): string | null {
  return typeof found === "string" ? found : null;
}

const NO_ITEMS: readonly never[] = [];

/** The stored list's items of the type (the stored list itself when they all are). */
function summaryList<T>(found: unknown, item: (value: unknown) => value is T): readonly T[] {
  if (!Array.isArray(found)) return NO_ITEMS;
  return found.every(item) ? found : found.filter(item);
}

const isString = (item: unknown): item is string => typeof item === "string";
const isNumber = (item: unknown): item is number => typeof item === "number";

function summaryTargets(targets: MetricSummary[14]): MetricsRecord["mergeBack"] {
  if (targets === null || typeof targets !== "object") return NO_ITEMS;
  return Object.keys(targets)
    .sort((a, b) => a.localeCompare(b))
    .map((target) => {
      const [doneAt, timeKnown] = targets[target] as readonly [unknown, unknown];
      const done = (doneAt ?? null) as string | null;
      return timeKnown === false ? { target, doneAt: done, timeKnown: false } : { target, doneAt: done };
    });
}

/**
 * What the metrics read of a record, from its metric summary: the same values {@link toRecord}
 * gives for them from the whole fact set. From a history summary, the values it leaves out read
 * as absent. A record in the log has at least one of its times (the store orders and selects by
 * them), so its `dateTime` is one of them.
 */
export function summaryRecord(repo: string, summary: MetricSummary): MetricsRecord {
  const incidentAt = summaryText(summary[2]);
  const openedAt = summaryText(summary[3]);
  const mergedAt = summaryText(summary[4]);
  const audit = summary[11];
  const post = summary[12];
  return {
    repo,
    id: hotfixId(summary[1]),
    sequence: summary[1],
    pullRequest: summary[0],
    dateTime: incidentAt ?? openedAt ?? mergedAt ?? "",
    incidentAt,
    openedAt,
    mergedAt,
    incidentReference: summaryText(summary[5]),
    filesAffected: summaryList(summary[6], isString),
    revertedBy: (summary[7] ?? null) as MetricsRecord["revertedBy"],
    deployedAt: summaryText(summary[8]),
    firstReviewRequestedAt: summaryText(summary[9]),
    firstReviewAt: summaryText(summary[10]),
    audit: audit ? { verdict: audit[0] as RecordedAudit["verdict"] } : null,
    postIncident: post ? { dueAt: (post[0] ?? null) as string | null, closedAt: summaryText(summary[13]) } : null,
    mergeBack: summaryTargets(summary[14]),
    overScope: summary[15] === true,
    reverts: summaryList(summary[16], isNumber),
    mentions: summaryList(summary[17], isString),
  };
}

/** A timeline event to record with a fact set; `at` is the event's own time. */
export interface EventInput {
  readonly kind: TimelineEventKind;
  readonly subject: string;
  readonly at: string;
  readonly actor: string | null;
  readonly detail: string;
  readonly url: string | null;
}
