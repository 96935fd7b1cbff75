/**
 * Idempotent writes of the audit. Every comment and issue the audit writes carries a hidden
 * marker, and before writing one the app looks for its own item with that marker: a redelivered
 * or duplicated event finds the first run's item and updates it (or writes nothing) instead of
 * adding a second. Only items the app itself wrote count, so no one can plant a marker to
 * suppress an audit. The protection log (changes to the production branch's protection, kept on
 * GitHub until the app has a database) is read here; its entries are appended through the generic
 * {@link appendMarkedEntry}, with the text the handler rendered. Markers come from the codec
 * (`src/model/records.ts`); this module renders nothing.
 */
import type { CommentFact, ProtectionChange } from "../model/merge.js";
import { PROTECTION_LOG_LABEL, protectionLogMarker, readProtectionEntry } from "../model/records.js";
import type { AuditGateway, IssueFact } from "./audit-gateway.js";
import { statusOf } from "./errors.js";
import { fullName, type NewIssue, type RepoRef } from "./gateway.js";
import { createOnce } from "./writes.js";

function isOwn(author: string, ownLogin: string): boolean {
  return author.toLowerCase() === ownLogin.toLowerCase();
}

/** The app's own comment carrying the marker, or undefined. */
export function ownComment(comments: readonly CommentFact[], ownLogin: string, marker: string): CommentFact | undefined {
  return comments.find((comment) => isOwn(comment.author, ownLogin) && comment.body.includes(marker));
}

/** The app's own issue carrying the marker, or undefined. */
export function ownIssue(issues: readonly IssueFact[], ownLogin: string, marker: string): IssueFact | undefined {
  return issues.find((issue) => !issue.isPullRequest && isOwn(issue.author, ownLogin) && issue.body.includes(marker));
}

/**
 * Creates an issue assigned as asked; when GitHub refuses the assignees (422: someone who cannot
 * be assigned in this repository), creates it unassigned. A 422 means nothing was created, so
 * the second attempt cannot duplicate it.
 */
export async function createIssueAssigning(gateway: AuditGateway, repo: RepoRef, issue: NewIssue): Promise<number> {
  try {
    return await gateway.createIssue(repo, issue);
  } catch (error) {
    if (statusOf(error) !== 422 || issue.assignees.length === 0) throw error;
    return gateway.createIssue(repo, { ...issue, assignees: [] });
  }
}

/** Where an issue the audit looked for stands. */
export interface IssueResult {
  readonly number: number;
  readonly action: "opened" | "found";
}

/** What {@link findOrCreateIssue} looks for and, when missing, creates. */
export interface MarkedIssue {
  readonly marker: string;
  /** The label the issue carries, by which it is listed. */
  readonly label: string;
  /** The issue cannot be older than this (the pull request's creation, the push's time). */
  readonly since: string;
  readonly ownLogin: string;
  /** Builds the issue; called only when none exists, so what it reads costs nothing otherwise. */
  readonly create: () => Promise<NewIssue> | NewIssue;
}

/** Finds the app's own issue carrying the marker, or creates it through the write policy. */
export async function findOrCreateIssue(gateway: AuditGateway, repo: RepoRef, wanted: MarkedIssue): Promise<IssueResult> {
  const find = async () => ownIssue(await gateway.listIssuesWithLabel(repo, wanted.label, { since: wanted.since }), wanted.ownLogin, wanted.marker)?.number;
  const result = await createOnce({
    what: `issue ${wanted.marker} in ${fullName(repo)}`,
    find,
    create: async () => createIssueAssigning(gateway, repo, await wanted.create()),
  });
  return { number: result.value, action: result.action === "found" ? "found" : "opened" };
}

/** The app's own comment carrying a marker, and the comment to write. */
export interface MarkedComment {
  readonly marker: string;
  readonly ownLogin: string;
  /** The app's comment as already read, so the first look costs nothing. */
  readonly existing: CommentFact | undefined;
  readonly body: string;
}

/**
 * Creates the comment through the write policy (after an ambiguous failure the comments are
 * read again for the marker), or updates the app's existing one when its text changed.
 */
export async function upsertComment(gateway: AuditGateway, repo: RepoRef, number: number, wanted: MarkedComment): Promise<"created" | "updated" | "unchanged"> {
  const result = await createOnce<Pick<CommentFact, "id" | "body">>({
    what: `comment ${wanted.marker} on ${fullName(repo)}#${number}`,
    found: wanted.existing,
    find: async () => ownComment(await gateway.listIssueComments(repo, number), wanted.ownLogin, wanted.marker),
    create: async () => ({ id: await gateway.createComment(repo, number, wanted.body), body: wanted.body }),
  });
  if (result.value.body === wanted.body) return result.action === "created" ? "created" : "unchanged";
  await gateway.updateComment(repo, result.value.id, wanted.body);
  return result.action === "created" ? "created" : "updated";
}

/** The app's own issue carrying the marker among those with the label (updated since a time, when given). */
async function findMarkedIssue(gateway: AuditGateway, repo: RepoRef, wanted: { readonly label: string; readonly marker: string; readonly ownLogin: string }, since?: string): Promise<IssueFact | undefined> {
  const issues = await gateway.listIssuesWithLabel(repo, wanted.label, since ? { since } : {});
  return ownIssue(issues, wanted.ownLogin, wanted.marker);
}

/**
 * The recorded protection changes of the repository since a time: the log issue is listed only
 * when it was updated since then, and only its comments updated since then are read.
 */
export async function readProtectionChanges(gateway: AuditGateway, repo: RepoRef, ownLogin: string, since: string): Promise<ProtectionChange[]> {
  const log = await findMarkedIssue(gateway, repo, { label: PROTECTION_LOG_LABEL, marker: protectionLogMarker(fullName(repo)), ownLogin }, since);
  if (!log) return [];
  const comments = await gateway.listIssueComments(repo, log.number, since);
  const from = Date.parse(since);
  return comments
    .filter((comment) => isOwn(comment.author, ownLogin))
    .flatMap((comment) => {
      const change = readProtectionEntry(comment.body);
      return change && Date.parse(change.at) >= from ? [change] : [];
    });
}

/** An entry to append to a log issue (one comment per entry), both found by their markers. */
export interface MarkedEntry {
  readonly ownLogin: string;
  /** The log issue's label and hidden marker, by which it is found. */
  readonly label: string;
  readonly marker: string;
  /** The log issue as rendered; written only when none exists yet. */
  readonly issue: () => { readonly title: string; readonly body: string };
  /** The entry's own hidden marker, by which a redelivery finds the entry an earlier attempt wrote. */
  readonly entryMarker: string;
  readonly body: string;
  /** How far back an earlier attempt's entry is looked for. */
  readonly since: string;
}

/**
 * Appends an entry to a log issue, creating the issue on first use, both through the write
 * policy: an entry carrying the same entry marker (a redelivered event) is found and nothing is written.
 */
export async function appendMarkedEntry(gateway: AuditGateway, repo: RepoRef, wanted: MarkedEntry): Promise<"appended" | "already-recorded"> {
  const existing = await findMarkedIssue(gateway, repo, wanted);
  const log = await createOnce({
    what: `log issue ${wanted.marker} in ${fullName(repo)}`,
    found: existing?.number,
    find: async () => (await findMarkedIssue(gateway, repo, wanted))?.number,
    create: () => gateway.createIssue(repo, { ...wanted.issue(), labels: [wanted.label], assignees: [] }),
  });
  const entry = await createOnce<Pick<CommentFact, "id">>({
    what: `log entry ${wanted.entryMarker} on ${fullName(repo)}#${log.value}`,
    ...(log.action === "created" ? { found: null } : {}),
    find: async () => ownComment(await gateway.listIssueComments(repo, log.value, wanted.since), wanted.ownLogin, wanted.entryMarker),
    create: async () => ({ id: await gateway.createComment(repo, log.value, wanted.body) }),
  });
  return entry.action === "created" ? "appended" : "already-recorded";
}
