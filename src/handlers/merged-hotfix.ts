/**
 * One pipeline for a merged pull request: the configuration read once and the classification made
 * once, then the steps in a fixed order: the merge audit (with its post-incident review issue),
 * then merge-back. Each step is split in two: `assess` reads and judges and writes nothing;
 * `publish` writes what the judgement asks for, running `assess` (once) where it needs it, inside
 * its lock and after what it must look up first. The app (`pull_request.closed`, guarded here
 * against unmerged pull requests, foreign deliveries and the app's own events) publishes; the
 * command line's `audit` runs the same function read-only, so its verdicts come from this code.
 * When publishing, every step runs even when an earlier one failed, and the delivery fails
 * afterwards with every failure, so the queue retries it (each step finds what an earlier attempt
 * wrote). An invalid configuration is not only logged: the merge commit gets the failing
 * invalid-configuration check run.
 */
import type { Context, Logger } from "probot";
import type { ConfigProblem, ConfigResult } from "../config/load.js";
import type { Policy } from "../config/policy.js";
import { publishCheckRun } from "../github/check-runs.js";
import type { AuditGateway, MergedPullRequestData } from "../github/audit-gateway.js";
import type { RepoRef } from "../github/gateway.js";
import { OctokitMergeBackGateway, type MergeBackGateway } from "../github/merge-back-gateway.js";
import type { MergedHotfix } from "../model/merge-back.js";
import { renderInvalidConfigCheck } from "../render/check-run.js";
import { classifyPullRequest, type Classification } from "../rules/classify.js";
import { auditGatewayFor } from "./audit-run.js";
import { auditMerge } from "./merge-audit.js";
import { mergedHotfixOf, trackMergeBack } from "./merge-back.js";
import { productionBranchOf } from "./pull-request.js";
import { configFor, isOwnEvent, repoOf, type Services } from "./services.js";

/** A merged pull request handed to the pipeline: from a `pull_request.closed` delivery, or the command line's listing. */
export interface MergedInput {
  readonly repo: RepoRef;
  readonly defaultBranch: string;
  /** The GitHub door for the repository's installation (or the command line's token). */
  readonly github: AuditGateway;
  readonly mergeBack: MergeBackGateway;
  readonly installationId?: number;
  /** What the event (or the listing) says of the pull request: enough to classify it. */
  readonly pr: { readonly number: number; readonly baseRef: string; readonly headRef: string; readonly labels: readonly string[] };
  /** Reads the pull request afresh from GitHub (the audit judges what GitHub says now, not the payload). */
  readonly read: () => Promise<MergedPullRequestData>;
  /** The merged hotfix merge-back tracks, or null without a merge commit. */
  readonly hotfix: () => Promise<MergedHotfix | null>;
}

/** A merged pull request with its repository's policy and its classification, as every step gets it. */
export interface MergedEvent extends MergedInput {
  readonly policy: Policy;
  readonly classification: Classification;
}

/** A {@link MergedEvent} being published: what the writes log to. */
export interface PublishedEvent extends MergedEvent {
  readonly log: Logger;
}

/** One step of the pipeline: what it judges (read-only), and how it writes that judgement. */
export interface MergedStep<A> {
  /** Reads and judges; writes nothing. */
  assess(event: MergedEvent, services: Services): Promise<A>;
  /** Writes; `assessed` runs {@link assess} once, when and if the step needs it. */
  publish(event: PublishedEvent, services: Services, assessed: () => Promise<A>): Promise<void>;
}

/** The app's steps, in their order: the merge audit, then merge-back. The command line runs the same. */
export const MERGED_HOTFIX_STEPS = [auditMerge, trackMergeBack] as const;

/** What each step judged, in the steps' order. */
export type Assessments<S extends readonly MergedStep<unknown>[]> = { readonly [K in keyof S]: S[K] extends MergedStep<infer A> ? A : never };

/** How a run of the pipeline ended. */
export type MergedOutcome<R> =
  | { readonly kind: "invalid-config"; readonly problems: readonly ConfigProblem[]; readonly files: readonly string[] }
  | { readonly kind: "published" }
  | { readonly kind: "assessed"; readonly results: R };

/** Publish (the app: judge and write, with a log) or only assess (the command line: judge, write nothing). */
export type MergedMode = { readonly kind: "publish"; readonly log: Logger } | { readonly kind: "assess" };

/** Runs `work` at most once: every call shares its promise (a step's assessment, a pull request read afresh). */
export function once<T>(work: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= work());
}

/** Makes an invalid configuration visible on a merge into the production branch: the failing check run on the merge commit. */
async function reportInvalidConfig(input: MergedInput, config: Extract<ConfigResult, { ok: false }>, log: Logger): Promise<void> {
  const mergeSha = (await input.hotfix())?.mergeSha;
  if (!mergeSha || input.pr.baseRef !== productionBranchOf(config, input.defaultBranch)) return;
  const result = await publishCheckRun(input.github, input.repo, mergeSha, renderInvalidConfigCheck(config.problems, config.files));
  log.warn({ pr: input.pr.number, result, problems: config.problems.length }, "invalid hotfix-guard configuration; merged pull request not audited nor tracked");
}

async function publishSteps(event: PublishedEvent, services: Services, steps: readonly MergedStep<unknown>[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step.publish(event, services, once(() => step.assess(event, services)));
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `merged pull request #${event.pr.number}: ${failures.length} steps failed`);
}

/**
 * Runs the pipeline for a merged pull request: the configuration and the classification once,
 * then `steps` in order. Publishing, it writes (an invalid configuration gets its check run);
 * assessing, it returns what each step judged and writes nothing, and the first failure throws.
 */
export async function runMergedHotfix<S extends readonly MergedStep<unknown>[]>(input: MergedInput, services: Services, steps: S, mode: MergedMode): Promise<MergedOutcome<Assessments<S>>> {
  const config = await configFor(input.github, input.repo, services);
  if (!config.ok) {
    if (mode.kind === "publish") await reportInvalidConfig(input, config, mode.log);
    return { kind: "invalid-config", problems: config.problems, files: config.files };
  }
  const classification = classifyPullRequest({ baseRef: input.pr.baseRef, headRef: input.pr.headRef, labels: input.pr.labels }, config.policy);
  const event: MergedEvent = { ...input, policy: config.policy, classification };
  if (mode.kind === "publish") {
    await publishSteps({ ...event, log: mode.log }, services, steps);
    return { kind: "published" };
  }
  const results: unknown[] = [];
  for (const step of steps) results.push(await step.assess(event, services));
  return { kind: "assessed", results: results as unknown as Assessments<S> };
}

/**
 * The handler of `pull_request.closed`: the guard (merged, not a foreign delivery, not the app's
 * own event), then the pipeline, publishing, with `steps` in order (the app runs {@link MERGED_HOTFIX_STEPS}).
 */
export function mergedPullRequestHandler(services: Services, steps: readonly MergedStep<unknown>[]): (context: Context<"pull_request.closed">) => Promise<void> {
  return async (context) => {
    const { pull_request: pr, repository } = context.payload;
    if (!pr.merged) return;
    const github = auditGatewayFor(context, services);
    if (await isOwnEvent(context, github, services)) return;
    await services.hotfixLog?.mergedPullRequest(context.payload.repository.full_name, pr);
    const repo = repoOf(context);
    const installationId = context.payload.installation?.id;
    const input: MergedInput = {
      repo,
      defaultBranch: repository.default_branch,
      github,
      mergeBack: new OctokitMergeBackGateway(context.octokit),
      ...(installationId === undefined ? {} : { installationId }),
      pr: { number: pr.number, baseRef: pr.base.ref, headRef: pr.head.ref, labels: pr.labels.map((label) => label.name) },
      read: () => github.getMergedPullRequest(repo, pr.number),
      hotfix: async () => mergedHotfixOf(pr, repository.full_name),
    };
    await runMergedHotfix(input, services, steps, { kind: "publish", log: context.log });
  };
}
