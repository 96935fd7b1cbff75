/**
 * Who sees what. A user sees the records of repositories they can read, and nothing of others
 * (a hotfix in a repository they cannot read answers "not found", like one that does not exist).
 * Audit details, meaning who bypassed the protections and the justification they gave, are shown
 * only where the user administers the repository or is in a configured audit team; elsewhere they
 * are removed from the record before any page or export is rendered.
 */
import { withoutAuditDetails } from "../log/export.js";
import type { HotfixDetail, HotfixRecord, LogExport, RepoName, TimelineEvent } from "../log/model.js";
import type { UserAccess } from "./access.js";

/** The repositories the user can read, as GitHub spells them, sorted. */
export function readableRepos(access: UserAccess): RepoName[] {
  return [...access.repositories.values()].map((repo) => repo.fullName).sort((a, b) => a.localeCompare(b));
}

/** The readable repository `name` refers to (any case), or undefined. */
export function readableRepo(access: UserAccess, name: string): RepoName | undefined {
  return access.repositories.get(name.toLowerCase())?.fullName;
}

/** Whether the user may see audit details in `repo`: an administrator there, or in an audit team. */
export function seesAuditDetails(access: UserAccess, repo: RepoName): boolean {
  const entry = access.repositories.get(repo.toLowerCase());
  return entry !== undefined && (entry.admin || access.auditor);
}

function isBypass(record: HotfixRecord): boolean {
  return record.audit?.verdict === "justified-bypass" || record.audit?.verdict === "unjustified-bypass";
}

/** The record as the user may see it: without the justification, the authoriser and (after a bypass) the merger. */
export function visibleRecord<T extends HotfixRecord>(access: UserAccess, record: T): T {
  return seesAuditDetails(access, record.repo) ? record : withoutAuditDetails(record);
}

/** The hotfix page's data as the user may see it; after a bypass the merge event loses its actor too. */
export function visibleDetail(access: UserAccess, detail: HotfixDetail): HotfixDetail {
  if (seesAuditDetails(access, detail.record.repo)) return detail;
  const hideMerger = isBypass(detail.record);
  const timeline: TimelineEvent[] = detail.timeline.map((event) => (hideMerger && event.kind === "merged" ? { ...event, actor: null } : event));
  return { ...detail, record: visibleRecord(access, detail.record), timeline };
}

/** The JSON export as the user may see it. */
export function visibleExport(access: UserAccess, data: LogExport): LogExport {
  return { ...data, hotfixes: data.hotfixes.map((hotfix) => visibleRecord(access, hotfix)) };
}
