/**
 * The release guard: no release may drop a hotfix already merged into production.
 * - A non-hotfix pull request into production (a release or develop branch) → its "Hotfix
 *   Guard" check lists the hotfixes its head lacks, failing or warning per `release_guard`.
 * - A `vX.Y.Z` tag created, or a GitHub release published → a "Hotfix Guard: release" check run
 *   on its commit, failing when a hotfix is missing, and one comment on each missing hotfix's
 *   open reminder (found by marker, so a redelivery writes nothing twice).
 * The hotfixes to look for are those merged into production and not yet in every target: the
 * hotfix log's merge-back states (no request), or the open merge-back reminders listed once while
 * the log does not hold the repository's yet; then per hotfix the same presence detection
 * merge-back tracking uses (`checkTarget`), skipped where the hotfix's row for the candidate's
 * branch already says done or skipped. A failed read fails the event: it never turns into "all
 * present".
 */
import type { Context, Logger, Probot } from "probot";
import type { Policy } from "../config/policy.js";
import { fullName, repoRef, type CheckRunOutput, type GithubGateway, type PullRequestData, type RepoRef } from "../github/gateway.js";
import { publishCheckRun } from "../github/check-runs.js";
import type { ReminderState } from "../model/merge-back.js";
import { expectedTag } from "../rules/post-incident.js";
import { isVersionTag, judgeRelease, presenceFromCheck, presenceFromRows, releaseLevel, type ReleaseVerdict } from "../rules/release-guard.js";
import { RELEASE_CHECK_NAME, releaseCommentMarker, renderReleaseComment, renderReleaseCommitCheck, renderReleasePullRequestCheck, type NamedHotfix, type ReleaseCandidate } from "../render/release-guard.js";
import { auditGatewayFor } from "./audit-run.js";
import { checkTarget, commentOnce, findReminders, inRepositoryOrder, runFor, sharedReads, type MergeBackRun, type Reminder } from "./merge-back.js";
import { configFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** Where every open hotfix stands in a candidate, with the reminders they came from. */
interface ReleaseAssessment {
  readonly items: readonly NamedHotfix[];
  readonly reminders: ReadonlyMap<number, Reminder>;
}

/** A hotfix merged into production and not yet in every target, with its reminder issue (null: none opened). */
interface OpenHotfix {
  readonly state: ReminderState;
  readonly reminder: Reminder | null;
}

/**
 * The repository's open hotfixes: from the hotfix log when it holds them (no request; a reminder
 * closed by hand keeps its hotfix open there until every target has it), else the open reminders
 * listed once, which the log keeps from then on. A failed read of either fails the event.
 */
async function openHotfixes(run: MergeBackRun): Promise<OpenHotfix[]> {
  const repository = fullName(run.repo);
  const stored = run.hotfixLog ? await run.hotfixLog.openMergeBacks(repository) : null;
  if (stored) return stored.map(({ state, reminder }) => ({ state, reminder: reminder === null ? null : { number: reminder, open: true, body: "", state, comments: null } }));
  const reminders = (await findReminders(run, { state: "open" })).filter((reminder) => reminder.open);
  await run.hotfixLog?.mergeBacksSynced(repository, reminders.map((reminder) => ({ state: reminder.state, reminder: reminder.number })));
  return reminders.map((reminder) => ({ state: reminder.state, reminder }));
}

/**
 * Reads where every open hotfix stands in the candidate: the open hotfixes once, the merged pull
 * requests at most once (only for a candidate on a known branch), then per hotfix the rows or the
 * merge-back evidence at the candidate's commit.
 */
export async function assessRelease(run: MergeBackRun, candidate: ReleaseCandidate): Promise<ReleaseAssessment> {
  const open = (await openHotfixes(run)).filter(({ state }) => state.hotfix.mergeSha !== candidate.sha);
  if (open.length === 0) return { items: [], reminders: new Map() };
  const since = new Date(Math.min(...open.map(({ state }) => Date.parse(state.hotfix.since)))).toISOString();
  const shared = sharedReads(run, since);
  const reads = candidate.branch ? shared : { ...shared, mergedPullRequests: async () => [] };
  const items: NamedHotfix[] = [];
  for (const { state, reminder } of open) {
    const presence = presenceFromRows(state, candidate.branch) ?? presenceFromCheck((await checkTarget(run, state.hotfix, candidate.branch ?? "", reads, candidate.sha)).outcome);
    items.push({ state, reminder: reminder?.number ?? null, presence, version: expectedTag(state.hotfix.headRef, run.policy) });
  }
  const reminders = open.flatMap(({ reminder }) => (reminder ? [[reminder.number, reminder] as const] : []));
  return { items, reminders: new Map(reminders) };
}

/**
 * The "Hotfix Guard" check of a non-hotfix pull request into production, or null when the guard
 * is off for its branch or no hotfix is open (then the check says "Not a hotfix" as before).
 */
export async function releasePullRequestCheck(gateway: GithubGateway, repo: RepoRef, pr: PullRequestData, policy: Policy, services: Services, log: Logger): Promise<CheckRunOutput | null> {
  const level = releaseLevel(pr.headRef, policy);
  if (level === "off") return null;
  const run = runFor(gateway.mergeBack(), gateway, repo, policy, services, log);
  const candidate: ReleaseCandidate = { kind: "pull-request", name: String(pr.number), sha: pr.headSha, branch: pr.headRef };
  const { items } = await assessRelease(run, candidate);
  if (items.length === 0) return null;
  const verdict = judgeRelease(items, level);
  log.info({ pr: pr.number, missing: verdict.missing.length, unknown: verdict.unknown.length }, "release guard");
  return renderReleasePullRequestCheck(candidate, verdict, items, policy.source);
}

/** The missing (or unverifiable) hotfixes of a verdict that have a reminder to comment on. */
function lacking(verdict: ReleaseVerdict, items: readonly NamedHotfix[]): NamedHotfix[] {
  return items.filter((item) => verdict.missing.includes(item) || verdict.unknown.includes(item));
}

/** Checks a tag's or release's commit: its "Hotfix Guard: release" check run, then one comment per missing hotfix on its reminder. */
async function guardReleaseCommit(gateway: GithubGateway, repo: RepoRef, policy: Policy, candidate: ReleaseCandidate, services: Services, log: Logger): Promise<void> {
  const run = runFor(gateway.mergeBack(), gateway, repo, policy, services, log);
  const { items, reminders } = await assessRelease(run, candidate);
  const verdict = judgeRelease(items, "block");
  const result = await publishCheckRun(gateway, repo, candidate.sha, renderReleaseCommitCheck(candidate, verdict, items));
  log.info({ release: candidate.name, sha: candidate.sha, conclusion: verdict.conclusion, result }, RELEASE_CHECK_NAME);
  for (const item of lacking(verdict, items)) {
    const reminder = item.reminder === null ? undefined : reminders.get(item.reminder);
    if (!reminder) continue;
    await inRepositoryOrder(services, repo, () => commentOnce(run, reminder, releaseCommentMarker(item.state.hotfix.number, candidate.sha), renderReleaseComment(candidate, item)));
  }
}

/** A `vX.Y.Z` tag created → check its commit (a push of a tag also sends `create`, which is the one handled). */
export async function handleReleaseTag(context: Context<"create">, services: Services): Promise<void> {
  const { ref: tag, ref_type: refType } = context.payload;
  if (refType !== "tag" || !isVersionTag(tag)) return;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoOf(context);
  const config = await configFor(gateway, repo, services);
  if (!config.ok || !config.policy.config.release_guard.tags) return;
  const sha = await gateway.getTagCommit(repo, tag);
  if (!sha) return;
  await guardReleaseCommit(gateway, repo, config.policy, { kind: "tag", name: tag, sha, branch: null }, services, context.log);
}

const SHA = /^[0-9a-f]{40}$/i;

/** A GitHub release published → check the commit its tag points at (its target branch, when named, is the release branch). */
export async function handleReleasePublished(context: Context<"release.published">, services: Services): Promise<void> {
  const { release, repository } = context.payload;
  const gateway = auditGatewayFor(context, services);
  if (await isOwnEvent(context, gateway, services)) return;
  const repo = repoRef(repository.full_name);
  const config = await configFor(gateway, repo, services);
  if (!config.ok || !config.policy.config.release_guard.tags) return;
  const sha = await gateway.getTagCommit(repo, release.tag_name);
  if (!sha) return;
  const branch = release.target_commitish && !SHA.test(release.target_commitish) ? release.target_commitish : null;
  await guardReleaseCommit(gateway, repo, config.policy, { kind: "release", name: release.tag_name, sha, branch }, services, context.log);
}

/** Registers the release guard's handlers of tags and published releases (pull requests come through the check handler). */
export function registerReleaseGuardHandlers(app: Probot, services: Services): void {
  app.on("create", (context) => handleReleaseTag(context, services));
  app.on("release.published", (context) => handleReleasePublished(context, services));
}
