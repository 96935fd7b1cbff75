/**
 * What a handler tells the notifier, as data: the hotfix (seed 002's log entry as far as it is
 * known) and what happened to it. Handlers build these with one call at the moment they already
 * see; everything here is plain JSON, so it travels in a durable job's payload unchanged.
 */
import type { Policy } from "../config/policy.js";
import type { NotifyEventName } from "../config/schema-notifications.js";
import { describedEntry } from "../log/entry.js";
import type { AuditVerdict, HotfixRecord } from "../log/model.js";

/** The hotfix a message is about. Text fields are user text: every channel escapes them. */
export interface HotfixSummary {
  /** `owner/name`. */
  readonly repo: string;
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly author: string | null;
  readonly headRef: string;
  /** The declared severity (seed 001 CRITICAL/HIGH, seed 004 P0/P1), when the description gives one. */
  readonly severity: string | null;
  readonly problem: string | null;
  readonly impact: string | null;
  readonly incidentReference: string | null;
  readonly changeMade: string | null;
  readonly monitoring: string | null;
  /** The hotfix log's id (`HOTFIX-007`), when the log has it. */
  readonly trackingId: string | null;
}

/** What happened, with what each message shows. */
export type NotifyDetails =
  | { readonly kind: "opened" }
  | { readonly kind: "awaiting-review"; readonly minutes: number; readonly reviewers: string }
  | {
      /** A `notify` step of the escalation ladder ran while approvals were still short. */
      readonly kind: "review-escalated";
      /** The step's index in `escalation.ladder`: each step notifies once. */
      readonly step: number;
      /** Minutes after the ladder's start the step was due. */
      readonly afterMinutes: number;
      readonly approvals: number;
      readonly required: number;
      /** Who the ladder asked and when ("asked @acme/seniors at 14:02 UTC, …"); empty when nobody yet. */
      readonly escalation: string;
      /** When the review wait runs out and a "no reviewer available" bypass becomes permitted; null when it is not running. */
      readonly bypassPermittedAt: string | null;
      /** The configured authorisers (`@user`, `@org/team`); empty for the repository's administrators. */
      readonly authorisers: readonly string[];
    }
  | { readonly kind: "bypass-requested"; readonly by: string; readonly reason: string | null; readonly url: string | null }
  | { readonly kind: "bypass-permitted"; readonly hours: number; readonly requestedAt: string }
  | {
      readonly kind: "merged";
      readonly mergedBy: string | null;
      readonly verdict: AuditVerdict;
      /** The requirements the merge skipped, by title. */
      readonly unmet: readonly string[];
      /** The administrator the audit verified, for a justified bypass. */
      readonly authoriser: string | null;
      readonly bypassReason: string | null;
      /** Why the justification was accepted or rejected. */
      readonly assessment: string | null;
      readonly mergeBackTargets: readonly string[];
    }
  | { readonly kind: "deployed"; readonly environment: string; readonly at: string; readonly url: string | null; readonly postIncidentDue: string | null }
  | { readonly kind: "merge-back-overdue"; readonly missing: readonly string[]; readonly hours: number; readonly reminderUrl: string }
  | { readonly kind: "merge-back-failed"; readonly target: string; readonly reason: string; readonly pullRequestUrl: string | null }
  | { readonly kind: "post-incident-due"; readonly dueAt: string; readonly issueUrl: string }
  | { readonly kind: "post-incident-overdue"; readonly dueAt: string; readonly issueUrl: string };

/** One moment a handler reports: the repository's policy routes it. */
export interface NotifyRequest {
  readonly policy: Policy;
  readonly hotfix: HotfixSummary;
  readonly details: NotifyDetails;
  /** The installation, for the timed checks that read GitHub later (the review wait). */
  readonly installationId?: number;
}

/** The notifier as handlers call it: `services.notify?.(request)`. Only schedules; never throws. */
export type Notify = (request: NotifyRequest) => Promise<void>;

/** The routed events a moment produces: a merge is `merged`, and a bypass also `bypass-justified` or `bypass-unjustified`. */
export function eventsOf(details: NotifyDetails): NotifyEventName[] {
  if (details.kind !== "merged") return [details.kind];
  if (details.verdict === "justified-bypass") return ["merged", "bypass-justified"];
  if (details.verdict === "unjustified-bypass") return ["merged", "bypass-unjustified"];
  return ["merged"];
}

/** What tells two occurrences of one event for one hotfix apart: a back-merge's target, a ladder step; else the event happens once. */
export function occurrenceOf(details: NotifyDetails): string {
  if (details.kind === "merge-back-failed") return `:${details.target}`;
  return details.kind === "review-escalated" ? `:step-${details.step}` : "";
}

/** The URL of a pull request on github.com. */
export function pullRequestUrl(repo: string, number: number): string {
  return `https://github.com/${repo}/pull/${number}`;
}

/** A hotfix pull request as the handlers see it, summarised with its description's sections (seed 001's template). */
export function summaryOf(repo: string, pr: { readonly number: number; readonly title: string; readonly body: string | null; readonly author: string | null; readonly headRef: string; readonly url?: string }, policy: Policy | null): HotfixSummary {
  const entry = describedEntry({ number: pr.number, title: pr.title, body: pr.body }, repo, policy);
  return {
    repo,
    number: pr.number,
    title: pr.title,
    url: pr.url ?? pullRequestUrl(repo, pr.number),
    author: pr.author,
    headRef: pr.headRef,
    severity: entry.severity,
    problem: entry.problem,
    impact: entry.impact,
    incidentReference: entry.incidentReference,
    changeMade: entry.changeMade,
    monitoring: entry.monitoring,
    trackingId: null,
  };
}

/** A hotfix log record, summarised. */
export function summaryOfRecord(record: HotfixRecord): HotfixSummary {
  return {
    repo: record.repo,
    number: record.pullRequest,
    title: record.title,
    url: record.links.pullRequest,
    author: record.author,
    headRef: record.headRef,
    severity: record.severity,
    problem: record.problem,
    impact: record.impact,
    incidentReference: record.incidentReference,
    changeMade: record.changeMade,
    monitoring: record.monitoring,
    trackingId: record.id,
  };
}

/** One hotfix the weekly digest lists (seed 002 "Completed Hotfixes"); `title` is user text. */
export interface DigestHotfix {
  readonly repo: string;
  /** The hotfix log's id (`HOTFIX-007`). */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly mergedAt: string;
  /** The merge audit's verdict; null while the audit has not run. */
  readonly verdict: AuditVerdict | null;
  /** The merge-back state in words: done, or the targets still missing. */
  readonly mergeBack: string;
  /** The post-mortem's state in words. */
  readonly postMortem: string;
  readonly postMortemUrl: string | null;
}

/** A seed 001 warning sign of one repository, past its threshold. */
export interface DigestWarning {
  readonly repo: string;
  readonly message: string;
  readonly ids: readonly string[];
}

/** One destination's weekly digest, as data: built when the week's job runs, so a retried send sends the same. */
export interface Digest {
  /** The ISO week the digest covers (`2026-W48`: Monday 09:00 UTC to the next Monday 09:00 UTC). */
  readonly week: string;
  readonly since: string;
  readonly until: string;
  /** The repositories that route `weekly-digest` to the destination. */
  readonly repos: readonly string[];
  /** The hotfixes merged in the week, newest first. */
  readonly hotfixes: readonly DigestHotfix[];
  readonly warnings: readonly DigestWarning[];
}
