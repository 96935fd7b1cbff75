/**
 * `hotfix-guard audit <owner/repo> --since <period>`: walks the hotfixes merged into the
 * production branch in a period and reports, for each, what the app would say: the merge audit's
 * verdict and what was bypassed, the justification's verdict, where the fix stands in each
 * merge-back target (and who skipped a target, and why, as the app's reminder records it), and
 * the post-incident review issue. Each hotfix goes through the app's own
 * merged-hotfix pipeline (`runMergedHotfix` with `MERGED_HOTFIX_STEPS`: configuration and
 * classification once, then the merge audit's and merge-back's assessments) in its read-only
 * mode, on the app's own gateways, so its verdicts are the app's; where the app left an audit
 * record on the pull request, the requirements come from that record, as they do in the app.
 *
 * It only reads: the pipeline's read-only mode runs no step's writes, and the client refuses any
 * request but GET.
 */
import type { ConfigProblem } from "../config/load.js";
import type { Policy } from "../config/policy.js";
import { OctokitAuditGateway, type AuditGateway, type IssueFact, type MergedPullRequestSummary } from "../github/audit-gateway.js";
import type { RepoRef } from "../github/gateway.js";
import { OctokitMergeBackGateway, type MergeBackGateway } from "../github/merge-back-gateway.js";
import type { AuditAssessment } from "../handlers/audit-run.js";
import type { MergeBackAssessment } from "../handlers/merge-back.js";
import { MERGED_HOTFIX_STEPS, once, runMergedHotfix, type MergedInput } from "../handlers/merged-hotfix.js";
import { configFor, createServices, type Services } from "../handlers/services.js";
import type { Row } from "../model/merge-back.js";
import { parseReminder } from "../model/records.js";
import { REMINDER_LABEL } from "../render/merge-back.js";
import { POST_INCIDENT_LABEL } from "../render/post-incident.js";
import { classifyPullRequest } from "../rules/classify.js";
import {
  justificationSummary,
  mergeBackSummary,
  postIncidentSummary,
  reportMarkdown,
  reportText,
  requirementSummaries,
  type AuditReport,
  type AuditedHotfix,
  type MergeBackSummary,
  type UnauditedHotfix,
  withSkips,
} from "./audit-report.js";
import { describeFailure, isFatalFailure, isRequestFailure, readOnlyOctokit, WriteRefusedError } from "./github-client.js";
import { CommandFailure, EXIT_FAILED, EXIT_OK, outputWidth, parseCommandLine, parseNowOption, UsageError, writeLine, type CliIo } from "./io.js";
import { configProblemsText, ProgressBar, writeJson } from "./output.js";

/** The help text of the command. */
export const AUDIT_USAGE = `Usage: hotfix-guard audit <owner/repo> --since <period> [options]

Walks the hotfix pull requests merged into the production branch in a period and reports, for
each: compliant or bypass (and what was bypassed), the justification's verdict, the merge-back
status per target branch (with who skipped a target, and why) and the post-incident review issue.
It only reads from GitHub.

The token comes from --token or the GITHUB_TOKEN environment variable (prefer the variable: a
--token value stays in your shell history). It needs read access to the repository's contents,
pull requests, issues and metadata; reading branch protection and GitHub's bypass records needs
an administrator's token, else those rows are reported as not verified.

Options:
  --since <period>   how far back: 30d, 2w, 720h, or a date such as 2026-11-01 (UTC) (required)
  --token <token>    a GitHub token (default: $GITHUB_TOKEN)
  --json             print the report as JSON
  --markdown         print the report as Markdown, to paste into an issue
  --api-url <url>    the REST API root, for GitHub Enterprise Server: https://<host>/api/v3
  --app-slug <slug>  the app's slug, to find its audit records and issues (default: hotfix-guard)
  --now <ISO time>   end the period at this time instead of now
  -h, --help         show this help

Exit codes: 0 every hotfix audited (whatever the verdicts), 1 a hotfix could not be audited,
GitHub refused the token or the repository, or its configuration is invalid, 2 wrong usage.`;

const REPOSITORY = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/;
const DURATION = /^(\d{1,5})([hdw])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS };
/** GitHub's REST API root (github.com). */
export const DEFAULT_API_BASE = "https://api.github.com";

/** The configuration on the default branch is invalid: the app audits nothing until it is fixed. */
export class InvalidConfiguration extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly files: readonly string[],
  ) {
    super("invalid configuration");
  }
}

/**
 * The start of the period: a duration back from `now` (`30d`, `2w`, `720h`), a date (midnight
 * UTC) or an ISO time.
 * @throws {UsageError} for anything else, or a start after `now`.
 */
export function parseSince(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  const since = duration
    ? new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] ?? 0))
    : new Date(DATE.test(text) ? `${text}T00:00:00Z` : /^\d{4}-\d{2}-\d{2}T/.test(text) ? text : Number.NaN);
  if (Number.isNaN(since.getTime()) || (DATE.test(text) && since.toISOString().slice(0, 10) !== text)) {
    throw new UsageError(`--since must be a period such as 30d, 2w or 720h, or a date such as 2026-11-01 (got "${text}").`);
  }
  if (since.getTime() > now.getTime()) throw new UsageError(`--since ${text} is in the future: the period must start before now (${now.toISOString()}).`);
  return since;
}

/** What one audit run works with. */
interface AuditRun {
  readonly repo: RepoRef;
  readonly since: Date;
  readonly now: Date;
  /** The app's bot login, whose audit records and issues count. */
  readonly ownLogin: string;
  /** The REST API root, for messages about an unreachable GitHub. */
  readonly apiUrl: string;
  readonly audit: AuditGateway;
  readonly mergeBack: MergeBackGateway;
  /** The app's services, with its clock at `now` and its login known, so the pipeline asks GitHub for neither. */
  readonly services: Services;
  readonly progress: ProgressBar;
}

/** What the commands that read a repository's merged hotfixes (`audit`, `backfill`) are given. */
export interface RepositoryPeriodArguments {
  readonly repo: RepoRef;
  readonly since: Date;
  readonly now: Date;
  readonly token: string;
  /** The REST API root, without a trailing slash. */
  readonly apiUrl: string;
  readonly appSlug: string;
  readonly json: boolean;
  readonly markdown: boolean;
  /** A local configuration file to use instead of the repository's (`--config`, offered by `preview`). */
  readonly config?: string;
}

/**
 * Parses `<owner/repo> --since <period> [--token] [--json] [--markdown] [--api-url] [--app-slug]
 * [--now] [--config]` for `command`; null when help was asked for. `markdown` and `config` say
 * whether the command offers `--markdown` and `--config`; `example` is the period its messages
 * suggest; with `defaultSince`, `--since` may be left out.
 */
export function parseRepositoryPeriod(
  io: CliIo,
  command: string,
  offers: { readonly markdown: boolean; readonly example: string; readonly config?: boolean; readonly defaultSince?: string },
): RepositoryPeriodArguments | null {
  const { values, positionals } = parseCommandLine({
    args: [...io.argv],
    options: {
      since: { type: "string" },
      token: { type: "string" },
      json: { type: "boolean" },
      ...(offers.markdown ? { markdown: { type: "boolean" as const } } : {}),
      ...(offers.config ? { config: { type: "string" as const } } : {}),
      "api-url": { type: "string" },
      "app-slug": { type: "string" },
      now: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) return null;
  const [name, ...extra] = positionals;
  const match = name === undefined ? null : REPOSITORY.exec(name);
  if (!match || extra.length > 0) throw new UsageError(`give one repository as owner/name, for example: hotfix-guard ${command} acme/payments --since ${offers.example}${name ? ` (got "${positionals.join(" ")}")` : ""}.`);
  const sinceText = values.since ?? offers.defaultSince;
  if (!sinceText) throw new UsageError("--since is required: how far back to look, such as 30d, 2w, 720h or 2026-11-01.");
  const token = values.token ?? io.env.GITHUB_TOKEN;
  if (!token) throw new UsageError("no token: set GITHUB_TOKEN (or pass --token) to a GitHub token that can read the repository, for example GITHUB_TOKEN=$(gh auth token).");
  const markdown = (values as { markdown?: boolean }).markdown === true;
  if (values.json && markdown) throw new UsageError("choose one output: --json or --markdown.");
  const now = parseNowOption(values.now);
  return {
    repo: { owner: match[1] as string, repo: match[2] as string },
    since: parseSince(sinceText, now),
    now,
    token,
    apiUrl: (values["api-url"] ?? DEFAULT_API_BASE).replace(/\/+$/, ""),
    appSlug: values["app-slug"] ?? "hotfix-guard",
    json: values.json === true,
    markdown,
    ...((values as { config?: string }).config === undefined ? {} : { config: (values as { config: string }).config }),
  };
}

/** The `audit` command's arguments: the repository and period, and one output format. */
type AuditArguments = Omit<RepositoryPeriodArguments, "json" | "markdown"> & { readonly format: "json" | "markdown" | "text" };

function parseArguments(io: CliIo): AuditArguments | null {
  const parsed = parseRepositoryPeriod(io, "audit", { markdown: true, example: "30d" });
  if (!parsed) return null;
  const { json, markdown, ...rest } = parsed;
  return { ...rest, format: json ? "json" : markdown ? "markdown" : "text" };
}

// ── One hotfix ─────────────────────────────────────────────────────────────────────────────────

/** The merge-back of a hotfix as the report shows it, with the targets its reminder records as skipped. */
function mergeBackOf(assessment: MergeBackAssessment | null, skipped: readonly Row[]): MergeBackSummary {
  return assessment ? mergeBackSummary(assessment.hotfix, withSkips(assessment.rows, skipped)) : { status: "unknown", reason: "GitHub reported no merge commit" };
}

/** What judging one hotfix needs of a run (the hotfix log's backfill shares it). */
export type JudgeRun = Pick<AuditRun, "repo" | "audit" | "mergeBack" | "services">;

/** One merged hotfix as the app's pipeline judged it, read-only. */
export interface JudgedHotfix extends AuditAssessment {
  /** Where the fix stands in each target; null when GitHub reported no merge commit. */
  readonly mergeBack: MergeBackAssessment | null;
}

/** Judges one merged hotfix through the app's merged-hotfix pipeline in its read-only mode. */
export async function judgeHotfix(run: JudgeRun, defaultBranch: string, summary: MergedPullRequestSummary): Promise<JudgedHotfix> {
  const read = once(() => run.audit.getMergedPullRequest(run.repo, summary.number));
  const input: MergedInput = {
    repo: run.repo,
    defaultBranch,
    github: run.audit,
    mergeBack: run.mergeBack,
    pr: { number: summary.number, baseRef: summary.baseRef, headRef: summary.headRef, labels: summary.labels },
    read,
    hotfix: async () => {
      const pr = await read();
      if (!pr.mergeCommitSha || !pr.mergedAt) return null;
      return { number: pr.number, title: pr.title, author: pr.author, headRef: pr.headRef, headSha: pr.headSha, headInRepository: summary.headInRepository, mergeSha: pr.mergeCommitSha, mergedAt: pr.mergedAt };
    },
  };
  const outcome = await runMergedHotfix(input, run.services, MERGED_HOTFIX_STEPS, { kind: "assess" });
  if (outcome.kind === "invalid-config") throw new InvalidConfiguration(outcome.problems, outcome.files);
  if (outcome.kind !== "assessed") throw new Error(`#${summary.number}: the pipeline published instead of assessing`);
  const [assessment, mergeBack] = outcome.results;
  if (!assessment) throw new Error(`#${summary.number} is no longer a merged hotfix on GitHub, so the app would not audit it`);
  return { ...assessment, mergeBack: mergeBack ?? null };
}

/** Audits one merged hotfix through the app's pipeline, read-only. */
async function auditHotfix(run: AuditRun, defaultBranch: string, policy: Policy, summary: MergedPullRequestSummary, followUps: readonly IssueFact[], skips: ReadonlyMap<number, readonly Row[]>): Promise<AuditedHotfix> {
  const { pr, audit, recorded, mergeBack } = await judgeHotfix(run, defaultBranch, summary);
  return {
    number: pr.number,
    title: pr.title,
    url: summary.url,
    mergedAt: pr.mergedAt,
    mergedBy: pr.mergedBy,
    verdict: audit.verdict,
    ...requirementSummaries(audit),
    justification: justificationSummary(audit),
    mergeBack: mergeBackOf(mergeBack, skips.get(pr.number) ?? []),
    postIncident: postIncidentSummary(followUps, run.ownLogin, pr, policy, run.now),
    judgedFrom: recorded ? "app-record" : "now",
  };
}

// ── The period ─────────────────────────────────────────────────────────────────────────────────

/** The repository's name as GitHub spells it, and its policy, read as the app reads it (default branch, organisation fallback, `_extends`). */
export async function repositoryPolicy(run: Pick<AuditRun, "repo" | "audit" | "services">, name: string): Promise<{ fullName: string; defaultBranch: string; policy: Policy }> {
  const repository = await run.audit.getRepository(run.repo);
  if (!repository) throw new CommandFailure(`${name} not found, or the token cannot see it. Check the name, and that the token may read it (a fine-grained token must list the repository).`);
  const config = await configFor(run.audit, run.repo, run.services);
  if (!config.ok) throw new InvalidConfiguration(config.problems, config.files);
  return { fullName: repository.fullName, defaultBranch: repository.defaultBranch, policy: config.policy };
}

/** The app's post-incident issues that can belong to the hotfixes: one listing for the whole period. */
export async function followUpIssues(run: Pick<AuditRun, "repo" | "audit">, hotfixes: readonly MergedPullRequestSummary[]): Promise<IssueFact[]> {
  const earliest = Math.min(...hotfixes.map((hotfix) => Date.parse(hotfix.createdAt)));
  if (!Number.isFinite(earliest)) return [];
  return run.audit.listIssuesWithLabel(run.repo, POST_INCIDENT_LABEL, { since: new Date(earliest).toISOString(), state: "all" });
}

/**
 * The targets authorisers skipped, per hotfix, from the app's merge-back reminders (open or
 * closed, opened by the app for this repository): one listing for the whole period.
 */
async function skippedTargets(run: AuditRun, hotfixes: readonly MergedPullRequestSummary[]): Promise<Map<number, Row[]>> {
  const earliest = Math.min(...hotfixes.map((hotfix) => Date.parse(hotfix.createdAt)));
  if (!Number.isFinite(earliest)) return new Map();
  const issues = await run.mergeBack.listLabelledIssues(run.repo, REMINDER_LABEL, { state: "all", since: new Date(earliest).toISOString() });
  const repository = `${run.repo.owner}/${run.repo.repo}`.toLowerCase();
  const skips = new Map<number, Row[]>();
  for (const issue of issues) {
    const state = issue.author.toLowerCase() === run.ownLogin.toLowerCase() ? parseReminder(issue.body) : null;
    if (!state || state.repository.toLowerCase() !== repository) continue;
    skips.set(state.hotfix.number, state.rows.filter((row) => row.status === "skipped"));
  }
  return skips;
}

async function buildReport(run: AuditRun, name: string): Promise<AuditReport> {
  const { fullName, defaultBranch, policy } = await repositoryPolicy(run, name);
  const { production } = policy.config.branches;
  const merged = await run.audit.listMergedPullRequestsInto(run.repo, production, run.since.toISOString());
  const hotfixes = merged.filter((pr) => classifyPullRequest(pr, policy).kind === "hotfix").sort((a, b) => Date.parse(b.mergedAt) - Date.parse(a.mergedAt));
  const followUps = await followUpIssues(run, hotfixes);
  const skips = await skippedTargets(run, hotfixes);
  const audited: AuditedHotfix[] = [];
  const failures: UnauditedHotfix[] = [];
  run.progress.start(hotfixes.length);
  for (const [index, summary] of hotfixes.entries()) {
    run.progress.update(index, `#${summary.number} ${summary.title}`);
    try {
      audited.push(await auditHotfix(run, defaultBranch, policy, summary, followUps, skips));
    } catch (error) {
      if (isFatalFailure(error) || error instanceof InvalidConfiguration) throw error;
      failures.push({ number: summary.number, title: summary.title, url: summary.url, mergedAt: summary.mergedAt, error: describeFailure(error, run.apiUrl) });
    }
  }
  run.progress.stop();
  return {
    repository: fullName,
    production,
    since: run.since.toISOString(),
    until: run.now.toISOString(),
    configuration: policy.source.files,
    hotfixes: audited,
    failures,
    otherMerged: merged.length - hotfixes.length,
  };
}

function writeInvalidConfiguration(io: CliIo, name: string, error: InvalidConfiguration): void {
  writeLine(io.stderr, `hotfix-guard audit: the Hotfix Guard configuration of ${name} is invalid, and the app audits no merge until it is fixed:`);
  writeLine(io.stderr);
  writeLine(io.stderr, configProblemsText(error.problems, outputWidth(io.stderr)));
  writeLine(io.stderr);
  writeLine(io.stderr, `Fix ${error.files.join(" and ") || "the configuration"} on the default branch (hotfix-guard validate-config checks a file locally), then run the audit again.`);
}

function writeReport(io: CliIo, report: AuditReport, format: AuditArguments["format"]): void {
  if (format === "json") writeJson(io.stdout, report);
  else writeLine(io.stdout, format === "markdown" ? reportMarkdown(report) : reportText(report, outputWidth(io.stdout)));
}

/**
 * Runs `audit`: reads the repository's configuration from its default branch, lists the pull
 * requests merged into the production branch since the start of the period, and audits each
 * hotfix among them, read-only.
 * @returns 0 when every hotfix was audited, whatever the verdicts; 1 when one could not be, GitHub
 * refused the token or the repository, or the configuration is invalid; a {@link UsageError}
 * (exit 2) for wrong usage.
 */
export async function auditCommand(io: CliIo): Promise<number> {
  const args = parseArguments(io);
  if (!args) {
    writeLine(io.stdout, AUDIT_USAGE);
    return EXIT_OK;
  }
  const name = `${args.repo.owner}/${args.repo.repo}`;
  const progress = new ProgressBar(io.stderr);
  const octokit = readOnlyOctokit({ token: args.token, ...(args.apiUrl !== DEFAULT_API_BASE ? { baseUrl: args.apiUrl } : {}), notify: (message) => progress.say(message) });
  const ownLogin = `${args.appSlug}[bot]`;
  const services = createServices({ now: () => args.now });
  services.ownLogin = Promise.resolve(ownLogin);
  const run: AuditRun = {
    repo: args.repo,
    since: args.since,
    now: args.now,
    ownLogin,
    apiUrl: args.apiUrl,
    audit: new OctokitAuditGateway(octokit),
    mergeBack: new OctokitMergeBackGateway(octokit),
    services,
    progress,
  };
  try {
    const report = await buildReport(run, name);
    writeReport(io, report, args.format);
    return report.failures.length > 0 ? EXIT_FAILED : EXIT_OK;
  } catch (error) {
    progress.stop();
    if (error instanceof InvalidConfiguration) writeInvalidConfiguration(io, name, error);
    else if (error instanceof CommandFailure) writeLine(io.stderr, `hotfix-guard audit: ${error.message}`);
    else if (isRequestFailure(error) || error instanceof WriteRefusedError) writeLine(io.stderr, `hotfix-guard audit: ${describeFailure(error, args.apiUrl)}`);
    else throw error;
    return EXIT_FAILED;
  }
}
