/**
 * The escalation ladder, run from the durable queue while a hotfix pull request lacks approvals.
 * The evaluation of the pull request queues the first step (once per pull request: the key names
 * it); each step, when due:
 * 1. stops when the pull request closed, is no longer a hotfix into production, or has its approvals;
 * 2. is re-timed when the ladder's start moved (the first review request, by anyone, starts it);
 * 3. asks the reviewers the step names that the app's bot has not asked yet, read from GitHub's own
 *    timeline, so a redelivered or re-run job after a crash or restart asks nobody twice; a
 *    `notify` step writes one comment, found again by its marker, and sends `review-escalated`
 *    to the routed chat destinations, one `notify-send` job per (step, destination) by its key,
 *    and joins the hotfix log's timeline (once per step);
 * 4. queues the next step and refreshes the check run, which shows the steps so far.
 */
import type { Logger } from "probot";
import { configFor, ownBotLogin, type Services } from "./services.js";
import { evaluatePullRequest, type PullRequestRef } from "./pull-request.js";
import { loadSnapshot } from "../facts/snapshot.js";
import type { EmergencyGateway } from "../github/emergency-gateway.js";
import { createOnce } from "../github/writes.js";
import type { Policy } from "../config/policy.js";
import { approvalsShort, reviewWaitDeadline, tallyApprovals } from "../rules/approvals.js";
import { classifyPullRequest } from "../rules/classify.js";
import { authoriserHandles, describeLadder, hourMinute, ladderStart, stepDueAt, targetsToRequest } from "../rules/escalation.js";
import { notifyEscalated } from "../notify/hooks.js";
import type { PullRequestSnapshot } from "../rules/types.js";

/** The timed job kind of one ladder step (payload: {@link EscalationJob}). */
export const ESCALATION_STEP = "escalation-step";

/** One step of one pull request's ladder. */
export interface EscalationJob extends Omit<PullRequestRef, "force"> {
  readonly installationId: number;
  /** The step's index in `escalation.ladder`. */
  readonly step: number;
  /** When the app first found approvals short: the ladder's start while nobody has requested a review. */
  readonly startedAt: string;
}

function jobKey(job: Pick<EscalationJob, "fullName" | "number" | "step">, due?: Date): string {
  return `${ESCALATION_STEP}:${job.fullName}#${job.number}:${job.step}${due ? `@${due.toISOString()}` : ""}`;
}

/**
 * Queues the ladder's first step for a hotfix whose approvals are short, when a ladder is
 * configured and the app runs with a store. Keyed by pull request, so every later evaluation
 * queues nothing more: the steps queue each other.
 */
export async function startEscalation(ref: PullRequestRef, snapshot: PullRequestSnapshot, policy: Policy, services: Services): Promise<void> {
  const [first] = policy.config.escalation.ladder;
  if (!first || !services.scheduler || ref.installationId === undefined || !approvalsShort(snapshot, policy)) return;
  const now = services.now();
  const { force: _force, ...rest } = ref;
  const job: EscalationJob = { ...rest, installationId: ref.installationId, step: 0, startedAt: now.toISOString() };
  const due = stepDueAt(first, ladderStart(snapshot.reviewRequests ?? [], now));
  await services.scheduler.schedule(ESCALATION_STEP, jobKey(job), job, due > now ? due : now);
}

/** The marker of a notify step's comment, which finds it again. */
function notifyMarker(job: EscalationJob): string {
  return `<!-- hotfix-guard:escalation-notify ${job.number}:${job.step} -->`;
}

function notifyBody(job: EscalationJob, snapshot: PullRequestSnapshot, policy: Policy, appLogin: string): string {
  const tally = tallyApprovals(snapshot, policy);
  const authorisers = authoriserHandles(policy, job.repo.owner);
  const steps = describeLadder(policy.config.escalation.ladder, snapshot.author, snapshot.reviewRequests ?? [], appLogin);
  const deadline = reviewWaitDeadline(snapshot, policy);
  return [
    notifyMarker(job),
    `**Hotfix #${job.number} still lacks approvals**: ${tally.approvals} of ${tally.required.count}.`,
    steps.length > 0 ? `Escalation so far: ${steps.join("; ")}.` : "",
    deadline
      ? `If no eligible reviewer responds by ${hourMinute(deadline)} (${deadline.toISOString().slice(0, 10)}), an emergency bypass ("no reviewer available within ${policy.config.bypass.review_wait_hours} hours") becomes permitted.`
      : "",
    authorisers.length > 0 ? `Bypass authorisers: ${authorisers.join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** What one run of a step did. */
export type EscalationOutcome = "stopped" | "retimed" | "done";

/** Runs one step of the ladder; see the module comment. */
export async function runEscalationStep(gateway: EmergencyGateway, job: EscalationJob, services: Services, log: Logger): Promise<EscalationOutcome> {
  const config = await configFor(gateway, job.repo, services);
  const step = config.ok ? config.policy.config.escalation.ladder[job.step] : undefined;
  if (!config.ok || !step) return "stopped";
  const { policy } = config;
  const pr = await gateway.getPullRequest(job.repo, job.number);
  if (pr.state === "closed" || pr.baseRef !== policy.config.branches.production || classifyPullRequest(pr, policy).kind !== "hotfix") return "stopped";
  const appLogin = await ownBotLogin(gateway, services);
  const snapshot = await loadSnapshot(gateway, job.repo, pr, policy, async () => appLogin);
  if (!approvalsShort(snapshot, policy)) {
    log.info({ pr: job.number, step: job.step }, "escalation stopped: approvals suffice or changes were requested");
    return "stopped";
  }
  const requests = snapshot.reviewRequests ?? [];
  const now = services.now();
  const due = stepDueAt(step, ladderStart(requests, new Date(job.startedAt)));
  if (due > now) {
    await services.scheduler?.schedule(ESCALATION_STEP, jobKey(job, due), job, due);
    return "retimed";
  }
  const targets = targetsToRequest(step, pr.author, requests, appLogin);
  if (targets.length > 0) {
    const ids = (kind: "user" | "team") => targets.filter((target) => target.kind === kind).map((target) => target.id);
    await gateway.requestReviewers(job.repo, job.number, ids("user"), ids("team"));
  }
  if (step.notify) {
    const marker = notifyMarker(job);
    await createOnce({
      what: `escalation notice on #${job.number}`,
      find: async () => (await gateway.listIssueComments(job.repo, job.number)).find((c) => c.author === appLogin && c.body.includes(marker))?.id ?? null,
      create: () => gateway.createComment(job.repo, job.number, notifyBody(job, snapshot, policy, appLogin)),
    });
    const escalation = describeLadder(policy.config.escalation.ladder, snapshot.author, requests, appLogin).join("; ");
    await notifyEscalated(services, job.fullName, pr, snapshot, policy, { index: job.step, afterMinutes: step.after_minutes, escalation });
    const detail = `approvals still short ${step.after_minutes} minutes into the ladder${escalation ? `: ${escalation}` : ""}`;
    await services.hotfixLog?.emergencyStep(job.fullName, job.number, { kind: "escalated", subject: `step ${job.step}`, at: now.toISOString(), actor: appLogin, detail, url: null });
  }
  log.info({ pr: job.number, step: job.step, asked: targets.map((target) => target.name), notified: step.notify }, "escalation step");
  const next = policy.config.escalation.ladder[job.step + 1];
  if (next && services.scheduler) {
    const nextJob: EscalationJob = { ...job, step: job.step + 1 };
    const nextDue = stepDueAt(next, ladderStart(requests, targets.length > 0 && requests.length === 0 ? now : new Date(job.startedAt)));
    await services.scheduler.schedule(ESCALATION_STEP, jobKey(nextJob), nextJob, nextDue > now ? nextDue : now);
  }
  await evaluatePullRequest(gateway, { ...job, baseRef: pr.baseRef, headSha: pr.headSha }, services, log);
  return "done";
}
