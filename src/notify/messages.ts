/**
 * The messages, from the seeds' communication templates: seed 001's "Initial Incident
 * Declaration" and "HOTFIX IN PROGRESS", seed 002's "HOTFIX IN PROGRESS" / "HOTFIX DEPLOYED",
 * seed 004's "HOTFIX INITIATED" / "HOTFIX DEPLOYED", plus the moments the seeds' procedures ask
 * people to watch (review wait, bypass, merge-back, post-incident review). Pure: a message is a
 * headline (the app's own words), labelled fields whose values may be user text, and links; each
 * channel's format (`formats.ts`) escapes the values for its markup.
 */
import type { NotifyEventName } from "../config/schema-notifications.js";
import type { Digest, HotfixSummary, NotifyDetails } from "./events.js";

/** One labelled line: the label is the app's, the value may be user text. */
export interface MessageField {
  readonly label: string;
  readonly value: string;
}

/** A link the message offers. */
export interface MessageLink {
  readonly label: string;
  readonly url: string;
}

/** A channel-neutral message. */
export interface Message {
  /** The template's first line, such as `🚨 HOTFIX IN PROGRESS 🚨`: the app's own text. */
  readonly headline: string;
  readonly fields: readonly MessageField[];
  readonly links: readonly MessageLink[];
}

function utc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function list(items: readonly string[]): string {
  return items.length > 0 ? items.join(", ") : "none";
}

function field(label: string, value: string | null | undefined): MessageField[] {
  return value ? [{ label, value }] : [];
}

/** The lines every message about a hotfix starts with: what broke, how bad, whose. */
function about(hotfix: HotfixSummary): MessageField[] {
  return [
    { label: "Issue", value: hotfix.problem ?? hotfix.title },
    ...field("Severity", hotfix.severity),
    ...field("Owner", hotfix.author ? `@${hotfix.author}` : null),
  ];
}

function tracking(hotfix: HotfixSummary): MessageField[] {
  const ids = [hotfix.trackingId, hotfix.incidentReference].filter((id): id is string => Boolean(id));
  return [{ label: "Tracking", value: ids.length > 0 ? ids.join(" · ") : `${hotfix.repo}#${hotfix.number}` }];
}

function prLink(hotfix: HotfixSummary): MessageLink {
  return { label: `Pull request ${hotfix.repo}#${hotfix.number}`, url: hotfix.url };
}

type Details<K extends NotifyDetails["kind"]> = Extract<NotifyDetails, { kind: K }>;

function merged(hotfix: HotfixSummary, details: Details<"merged">): Message {
  const audit = { compliant: "compliant", "justified-bypass": "justified emergency bypass", "unjustified-bypass": "UNJUSTIFIED bypass", "not-fully-verified": "not fully verified" }[details.verdict];
  return {
    headline: "🔀 HOTFIX MERGED",
    fields: [
      ...about(hotfix),
      ...field("Merged by", details.mergedBy ? `@${details.mergedBy}` : null),
      { label: "Audit", value: audit },
      { label: "Next", value: `deploy and monitor; merge back into ${list(details.mergeBackTargets)}; post-incident review` },
    ],
    links: [prLink(hotfix)],
  };
}

function bypass(hotfix: HotfixSummary, details: Details<"merged">, justified: boolean): Message {
  return {
    headline: justified ? "🛡️ HOTFIX MERGED WITH A JUSTIFIED EMERGENCY BYPASS" : "🚫 HOTFIX MERGED WITH AN UNJUSTIFIED BYPASS",
    fields: [
      ...about(hotfix),
      { label: "Merged by", value: details.mergedBy ? `@${details.mergedBy}` : "unknown" },
      { label: "Skipped", value: list(details.unmet) },
      ...(justified ? field("Authorised by", details.authoriser ? `@${details.authoriser}` : null) : []),
      ...field("Bypass reason", details.bypassReason),
      { label: "Justification", value: justified ? "verified" : (details.assessment ?? "missing: no EMERGENCY BYPASS JUSTIFICATION form") },
      { label: "Next", value: justified ? "retroactive review in the post-incident review" : "an administrator reviews the audit issue; justify the bypass or revert" },
    ],
    links: [prLink(hotfix)],
  };
}

/**
 * The message of one event about one hotfix.
 * @param event - the routed event (`merged` details render as `merged`, `bypass-justified` or `bypass-unjustified`).
 */
export function renderMessage(event: NotifyEventName, hotfix: HotfixSummary, details: NotifyDetails): Message {
  switch (details.kind) {
    case "opened":
      return {
        headline: "🚨 HOTFIX IN PROGRESS 🚨",
        fields: [
          ...about(hotfix),
          { label: "Impact", value: hotfix.impact ?? "not stated in the pull request" },
          { label: "Branch", value: hotfix.headRef },
          ...tracking(hotfix),
          { label: "Status", value: "FIXING" },
        ],
        links: [prLink(hotfix)],
      };
    case "awaiting-review":
      return {
        headline: "⏳ HOTFIX WAITING FOR REVIEW",
        fields: [
          ...about(hotfix),
          { label: "Waiting", value: `no eligible review ${details.minutes} minutes after the hotfix was opened` },
          { label: "Who can review", value: details.reviewers },
        ],
        links: [prLink(hotfix)],
      };
    case "review-escalated":
      return {
        headline: "📣 HOTFIX STILL WAITING FOR REVIEW: ESCALATED",
        fields: [
          ...about(hotfix),
          { label: "Approvals", value: `${details.approvals} of ${details.required}, ${details.afterMinutes} minutes into the escalation ladder` },
          ...field("Escalation", details.escalation),
          {
            label: "Bypass",
            value: details.bypassPermittedAt
              ? `if no eligible reviewer responds by ${utc(details.bypassPermittedAt)}, an emergency bypass ("no reviewer available") becomes permitted`
              : "no review wait is running: a bypass needs another allowed reason",
          },
          { label: "Authorisers", value: details.authorisers.length > 0 ? details.authorisers.join(", ") : "the repository's administrators" },
        ],
        links: [prLink(hotfix)],
      };
    case "bypass-requested":
      return {
        headline: "🙋 EMERGENCY BYPASS REQUESTED",
        fields: [...about(hotfix), { label: "Requested by", value: `@${details.by}` }, ...field("Reason", details.reason), { label: "Next", value: "an administrator decides; the merge will be audited" }],
        links: [prLink(hotfix), ...(details.url ? [{ label: "Request", url: details.url }] : [])],
      };
    case "bypass-permitted":
      return {
        headline: "⚠️ EMERGENCY BYPASS NOW PERMITTED",
        fields: [
          ...about(hotfix),
          { label: "Review requested", value: utc(details.requestedAt) },
          { label: "Waited", value: `no eligible reviewer within ${details.hours} hours` },
          { label: "Next", value: "an administrator may authorise an emergency bypass with the EMERGENCY BYPASS JUSTIFICATION form; the merge will be audited" },
        ],
        links: [prLink(hotfix)],
      };
    case "merged":
      if (event === "bypass-justified") return bypass(hotfix, details, true);
      if (event === "bypass-unjustified") return bypass(hotfix, details, false);
      return merged(hotfix, details);
    case "deployed":
      return {
        headline: "✅ HOTFIX DEPLOYED ✅",
        fields: [
          { label: "Issue", value: hotfix.problem ?? hotfix.title },
          { label: "Fix", value: hotfix.changeMade ?? hotfix.title },
          { label: "Deployed", value: `${utc(details.at)} to ${details.environment}` },
          { label: "Monitoring", value: hotfix.monitoring ?? "not stated in the pull request" },
          { label: "Next", value: details.postIncidentDue ? `post-incident review due ${utc(details.postIncidentDue)}` : "post-incident review; merge back" },
          ...tracking(hotfix),
        ],
        links: [prLink(hotfix), ...(details.url ? [{ label: "Deployment", url: details.url }] : [])],
      };
    case "merge-back-overdue":
      return {
        headline: "⏰ MERGE-BACK OVERDUE",
        fields: [...about(hotfix), { label: "Missing in", value: list(details.missing) }, { label: "Overdue", value: `not merged back ${details.hours} hours after the merge` }],
        links: [prLink(hotfix), { label: "Merge-back reminder", url: details.reminderUrl }],
      };
    case "merge-back-failed":
      return {
        headline: "❌ BACK-MERGE NEEDS A HAND",
        fields: [...about(hotfix), { label: "Target", value: details.target }, { label: "Problem", value: details.reason }],
        links: [prLink(hotfix), ...(details.pullRequestUrl ? [{ label: "Back-merge pull request", url: details.pullRequestUrl }] : [])],
      };
    case "post-incident-due":
      return {
        headline: "📝 POST-INCIDENT REVIEW SCHEDULED",
        fields: [...about(hotfix), { label: "Due", value: utc(details.dueAt) }],
        links: [prLink(hotfix), { label: "Post-incident review", url: details.issueUrl }],
      };
    case "post-incident-overdue":
      return {
        headline: "📝 POST-INCIDENT REVIEW OVERDUE",
        fields: [...about(hotfix), { label: "Was due", value: utc(details.dueAt) }],
        links: [prLink(hotfix), { label: "Post-incident review", url: details.issueUrl }],
      };
  }
}

/** The most hotfixes one digest lists; the rest are counted. */
export const DIGEST_LIMIT = 20;

const VERDICTS = { compliant: "compliant", "justified-bypass": "justified emergency bypass", "unjustified-bypass": "UNJUSTIFIED bypass", "not-fully-verified": "not fully verified" } as const;

/**
 * The weekly digest of one destination: the hotfixes merged in the week (seed 002 "Completed
 * Hotfixes": id, brief, date, audit verdict, merge-back and post-mortem state) and seed 001's
 * warning signs of its repositories, with links to each pull request and post-mortem.
 */
export function digestMessage(digest: Digest): Message {
  const shown = digest.hotfixes.slice(0, DIGEST_LIMIT);
  const more = digest.hotfixes.length - shown.length;
  return {
    headline: "📊 WEEKLY HOTFIX DIGEST",
    fields: [
      { label: "Week", value: `${digest.week}, ${utc(digest.since)} to ${utc(digest.until)}` },
      { label: "Repositories", value: list(digest.repos) },
      { label: "Completed", value: digest.hotfixes.length === 0 ? "no hotfix merged this week" : `${digest.hotfixes.length} hotfix(es) merged this week` },
      ...shown.map((hotfix) => ({
        label: hotfix.id,
        value: `${hotfix.repo}#${hotfix.number} ${hotfix.title} · merged ${utc(hotfix.mergedAt)} · audit: ${hotfix.verdict ? VERDICTS[hotfix.verdict] : "not audited"} · merge-back: ${hotfix.mergeBack} · post-mortem: ${hotfix.postMortem}`,
      })),
      ...(more > 0 ? [{ label: "More", value: `${more} more in the hotfix log` }] : []),
      ...(digest.warnings.length === 0
        ? [{ label: "Warning signs", value: "none past their thresholds" }]
        : digest.warnings.map((sign) => ({ label: "⚠️ Warning sign", value: `${sign.repo}: ${sign.message}${sign.ids.length > 0 ? ` (${sign.ids.join(", ")})` : ""}` }))),
    ],
    links: shown.flatMap((hotfix) => [
      { label: `${hotfix.id} ${hotfix.repo}#${hotfix.number}`, url: hotfix.url },
      ...(hotfix.postMortemUrl ? [{ label: `${hotfix.id} post-mortem`, url: hotfix.postMortemUrl }] : []),
    ]),
  };
}
