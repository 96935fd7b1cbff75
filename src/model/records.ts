/**
 * The one codec for the state Hotfix Guard keeps on GitHub, in hidden blocks of what it writes:
 * the audit record (in the audit comment), the protection log (its issue's marker and label, and
 * its entries, comments of the log issue),
 * the merge-back reminder state (in the reminder body) and the release-tag marker (an item of the
 * post-incident issue). Renderers call it to embed the state, loaders and handlers to read it
 * back; every read validates with zod, so a hand-edited or forged block reads as nothing.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { BYPASS_COMMANDS, type BypassState } from "./bypass.js";
import { JUSTIFICATION_FIELDS } from "./justification-form.js";
import type { AuditRecord, ProtectionChange, Requirement } from "./merge.js";
import type { ReminderState } from "./merge-back.js";

/** The encoded audit record never exceeds this; beyond it, its texts are cut further. */
const RECORD_LIMIT = 22_000;

// ── Audit record and protection-log entries ────────────────────────────────────────────────────

const RECORD = /<!-- hotfix-guard:audit-record ([A-Za-z0-9_-]+) -->/;
const ENTRY = /<!-- hotfix-guard:protection-change ([A-Za-z0-9_-]+) -->/;

const requirementSchema = z.object({
  source: z.enum(["policy", "github"]),
  title: z.string(),
  required: z.string(),
  present: z.string(),
  status: z.enum(["met", "unmet", "unknown", "pending"]),
});
const changeSchema = z.object({ at: z.string(), actor: z.string(), kind: z.enum(["branch protection rule", "ruleset"]), action: z.string(), name: z.string() });
const ruleSuiteSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("bypass"), id: z.number(), actor: z.string().nullable(), pushedAt: z.string().nullable() }),
  z.object({ status: z.literal("none") }),
  z.object({ status: z.literal("not-permitted"), reason: z.string() }),
  z.object({ status: z.literal("unavailable"), reason: z.string() }),
  z.object({ status: z.literal("not-applicable") }),
]);
const sourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("body") }),
  z.object({ kind: z.literal("comment"), id: z.number(), author: z.string(), createdAt: z.string(), updatedAt: z.string() }),
]);
const fieldsSchema = z.object(Object.fromEntries(JUSTIFICATION_FIELDS.map(({ key }) => [key, z.string()])) as Record<(typeof JUSTIFICATION_FIELDS)[number]["key"], z.ZodString>);
const checkSchema = z.object({ aspect: z.string(), status: z.enum(["valid", "invalid", "unverified"]), detail: z.string() });
const confirmationSchema = z.object({ kind: z.enum(["review", "comment", "grant"]), login: z.string(), id: z.number().nullable(), at: z.string() });
const authoritySchema = z.object({ permission: z.string(), teams: z.array(z.string()), at: z.string() });
const issueRefSchema = z.object({ repo: z.string(), number: z.number() });
const bypassGrantSchema = z.object({ login: z.string(), commentId: z.number(), at: z.string(), until: z.string(), sha: z.string() });
const bypassStateSchema = z.object({
  status: z.enum(["none", "requested", "granted", "denied", "expired", "other-commit"]),
  summary: z.string(),
  grant: bypassGrantSchema.nullable(),
  commands: z.array(
    z.object({ command: z.enum(BYPASS_COMMANDS), commentId: z.number(), login: z.string(), at: z.string(), args: z.string(), counted: z.boolean(), why: z.string() }),
  ),
}) satisfies z.ZodType<BypassState>;
const recordSchema = z.object({
  version: z.literal(1),
  pr: z.number(),
  mergeCommitSha: z.string().nullable(),
  auditedAt: z.string(),
  requirements: z.array(requirementSchema),
  protectionChanges: z.array(changeSchema),
  rulesetsApply: z.boolean(),
  ruleSuite: ruleSuiteSchema,
  ruleSuiteCheckedAt: z.string().nullable(),
  seen: z.record(z.string(), z.string()),
  justification: z
    .object({
      source: sourceSchema,
      fields: fieldsSchema,
      fingerprint: z.string(),
      verdict: z.object({ valid: z.boolean(), checks: z.array(checkSchema), authoriser: z.string().nullable(), confirmation: confirmationSchema.optional() }),
      recordedAt: z.string(),
    })
    .nullable(),
  auditIssue: issueRefSchema.nullable(),
  auditIssueClosed: z.boolean(),
  followUp: issueRefSchema.nullable(),
  authorities: z.record(z.string(), authoritySchema).optional(),
  withdrawals: z.array(z.string()).optional(),
  bypass: bypassStateSchema.optional(),
});

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decode(encoded: string): unknown {
  try {
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

function shrinkRequirements(record: AuditRecord, max: number): AuditRecord {
  const cut = (text: string) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  return { ...record, requirements: record.requirements.map((r) => ({ ...r, title: cut(r.title), required: cut(r.required), present: cut(r.present) })) };
}

const KEEP_FIRST: Record<Requirement["status"], number> = { unmet: 0, unknown: 1, pending: 2, met: 3 };

/**
 * The record as a hidden block, its requirement texts cut until it fits its share of the body. As
 * a last resort only part of the requirements is kept, unmet ones first, so that the verdict a
 * later run reads from the record can never improve (the visible table still lists them all).
 */
export function recordBlock(record: AuditRecord): string {
  let encoded = encode(record);
  for (const max of [200, 80, 20]) {
    if (encoded.length <= RECORD_LIMIT) break;
    encoded = encode(shrinkRequirements(record, max));
  }
  const worstFirst = [...record.requirements].sort((a, b) => KEEP_FIRST[a.status] - KEEP_FIRST[b.status]);
  for (let keep = worstFirst.length; encoded.length > RECORD_LIMIT && keep > 1; keep = Math.ceil(keep / 2)) {
    encoded = encode(shrinkRequirements({ ...record, requirements: worstFirst.slice(0, Math.ceil(keep / 2)) }, 20));
  }
  return `<!-- hotfix-guard:audit-record ${encoded} -->`;
}

/** The record an audit comment carries, or null when it carries none that reads. */
export function readAuditRecord(body: string): AuditRecord | null {
  const match = RECORD.exec(body);
  if (!match) return null;
  const parsed = recordSchema.safeParse(decode(match[1] as string));
  return parsed.success ? (parsed.data as AuditRecord) : null;
}

// ── Bypass commands ────────────────────────────────────────────────────────────────────────────

const GRANT_BINDING = /<!-- hotfix-guard:bypass-grant comment=(\d{1,20}) sha=([0-9a-f]{40}) -->/g;

/** The start of the hidden line of the app's reply to a grant, by which a redelivery finds the reply whatever commit it names. */
export function grantReplyKey(commentId: number): string {
  return `<!-- hotfix-guard:bypass-grant comment=${commentId} `;
}

/** The hidden line of the app's reply to a grant: which comment granted, for which head commit. */
export function grantBindingMarker(commentId: number, sha: string): string {
  return `${grantReplyKey(commentId)}sha=${sha.toLowerCase()} -->`;
}

/** The grants a reply of the app binds, as comment id → head commit. */
export function readGrantBindings(body: string): Map<number, string> {
  return new Map([...body.matchAll(GRANT_BINDING)].map((match) => [Number(match[1]), match[2] as string]));
}

/** The hidden line of the app's reply asking the authorisers about a bypass request. */
export function bypassRequestMarker(commentId: number): string {
  return `<!-- hotfix-guard:bypass-request comment=${commentId} -->`;
}

/** The label of the protection log issue, by which it is listed. */
export const PROTECTION_LOG_LABEL = "hotfix:protection-log";

/** The hidden marker of a repository's protection log issue. */
export function protectionLogMarker(repo: string): string {
  return `<!-- hotfix-guard:protection-log repo=${repo} -->`;
}

/** The hidden marker of the delivery that wrote a protection-log entry, by which a redelivery finds it. */
export function deliveryMarker(deliveryId: string): string {
  return `<!-- hotfix-guard:delivery ${deliveryId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 80)} -->`;
}

/**
 * The hidden marker of one change of protection, by which an entry is found again: the same
 * change delivered again, under its own or under a new delivery id, is recorded once. `identity`
 * names the change as GitHub does (rule or ruleset, its id, the action and its `updated_at`).
 */
export function changeMarker(identity: string): string {
  return `<!-- hotfix-guard:change ${createHash("sha256").update(identity).digest("hex").slice(0, 32)} -->`;
}

/** The hidden lines of a protection-log entry: the change, encoded, the change's own marker and the delivery that wrote it. */
export function protectionEntryBlock(change: ProtectionChange, entryMarker: string, deliveryId: string): string {
  return [`<!-- hotfix-guard:protection-change ${encode(change)} -->`, entryMarker, deliveryMarker(deliveryId)].join("\n");
}

/** The change a protection log entry records, or null. */
export function readProtectionEntry(body: string): ProtectionChange | null {
  const match = ENTRY.exec(body);
  if (!match) return null;
  const parsed = changeSchema.safeParse(decode(match[1] as string));
  return parsed.success ? parsed.data : null;
}

// ── Merge-back reminder state ──────────────────────────────────────────────────────────────────

const STATE_OPEN = "<!-- hotfix-guard:merge-back-state ";
const STATE_CLOSE = " -->";

/** The hidden first line of the reminder of hotfix `number`. */
export function reminderMarker(number: number): string {
  return `<!-- hotfix-guard:merge-back pr=${number} -->`;
}

/** Hidden, re-parsable JSON: `<`, `>`, `&` and `@` escaped, so no text inside can end the comment or mention anyone. */
export function stateBlock(state: ReminderState): string {
  const json = JSON.stringify(state).replace(/[<>&@]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${STATE_OPEN}${json}${STATE_CLOSE}`;
}

const evidenceSchema = z.discriminatedUnion("via", [
  z.object({ via: z.literal("ancestry"), sha: z.string() }),
  z.object({ via: z.literal("pull-request"), number: z.number().int() }),
  z.object({ via: z.literal("cherry-pick"), shas: z.array(z.string()) }),
  z.object({ via: z.literal("same-change"), files: z.number().int() }),
]);
const backMergeSchema = z.object({
  number: z.number().int(),
  head: z.string(),
  state: z.enum(["open", "closed", "merged"]),
  mergeable: z.boolean().nullable(),
  conflicts: z.object({ files: z.array(z.string()), total: z.number().int() }).nullable().optional(),
});
const rowSchema = z.discriminatedUnion("status", [
  z.object({ target: z.string(), status: z.literal("done"), evidence: evidenceSchema, backMerge: backMergeSchema.optional() }),
  z.object({ target: z.string(), status: z.literal("missing"), backMerge: backMergeSchema.optional(), backMergeError: z.string().optional() }),
  z.object({ target: z.string(), status: z.literal("absent") }),
  z.object({ target: z.string(), status: z.literal("released") }),
  z.object({ target: z.string(), status: z.literal("skipped"), skip: z.object({ by: z.string(), reason: z.string(), at: z.string() }) }),
]);
const stateSchema = z.object({
  version: z.literal(1),
  repository: z.string(),
  production: z.string(),
  hotfix: z.object({
    number: z.number().int(),
    title: z.string(),
    author: z.string(),
    headRef: z.string(),
    headSha: z.string(),
    headInRepository: z.boolean(),
    mergeSha: z.string(),
    mergedAt: z.string(),
    method: z.enum(["merge", "squash-or-rebase"]),
    commits: z.array(z.string()),
    since: z.string(),
  }),
  rows: z.array(rowSchema),
  escalatedAt: z.string().nullable(),
});

/** A reminder state kept elsewhere (the hotfix log's copy), or null when it does not validate. */
export function readReminderState(value: unknown): ReminderState | null {
  const parsed = stateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The state recorded in a reminder body, or null when the body is not a reminder the app wrote
 * (no marker on the first line, no state block at the end, or a state that does not validate).
 */
export function parseReminder(body: string): ReminderState | null {
  const trimmed = body.trimEnd();
  const firstLine = /^<!-- hotfix-guard:merge-back pr=(\d+) -->/.exec(trimmed);
  const start = trimmed.lastIndexOf(STATE_OPEN);
  if (!firstLine || start === -1 || !trimmed.endsWith(STATE_CLOSE)) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(trimmed.slice(start + STATE_OPEN.length, trimmed.length - STATE_CLOSE.length)));
    return parsed.success && parsed.data.hotfix.number === Number(firstLine[1]) ? parsed.data : null;
  } catch {
    return null;
  }
}

// ── Release-tag marker ─────────────────────────────────────────────────────────────────────────

const TAG_MARKER = /<!-- hotfix-guard:tag (v\d{1,9}\.\d{1,9}\.\d{1,9}) merge=([0-9a-f]{40}) -->/;

/** The hidden marker of the release-tag item: which tag must point at which merge commit. */
export function tagMarker(tag: string, mergeSha: string): string {
  return `<!-- hotfix-guard:tag ${tag} merge=${mergeSha} -->`;
}

/** Whether a line carries the release-tag marker. */
export function hasTagMarker(line: string): boolean {
  return TAG_MARKER.test(line);
}

/** The tag and merge commit an issue body tracks, or null when it tracks none. */
export function trackedTag(body: string): { tag: string; mergeSha: string } | null {
  const match = TAG_MARKER.exec(body);
  return match ? { tag: match[1] as string, mergeSha: match[2] as string } : null;
}
