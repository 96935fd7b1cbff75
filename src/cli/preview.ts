/**
 * `hotfix-guard preview <owner/repo> [--config file] [--since 30d]`: what the "Hotfix Guard" check
 * would say on each of the repository's open hotfix pull requests and those merged in the period,
 * so a team sees the effect of a policy before turning it on. Each pull request is judged by the
 * app's own pre-merge evaluation (`pullRequestCheck`: the snapshot, the rules, the check run),
 * under the repository's configuration read as the app reads it, or a local file given with
 * `--config`, the organisation floor applied to either. It only reads: the client refuses any
 * request but GET.
 */
import type { ConfigProblem } from "../config/load.js";
import type { Policy } from "../config/policy.js";
import { CONFIG_PATH } from "../config/schema.js";
import { OctokitAuditGateway, type AuditGateway, type OpenPullRequestSummary } from "../github/audit-gateway.js";
import { pullRequestCheck } from "../handlers/pull-request.js";
import { createServices } from "../handlers/services.js";
import { classifyPullRequest } from "../rules/classify.js";
import type { Finding } from "../rules/types.js";
import { DEFAULT_API_BASE, InvalidConfiguration, parseRepositoryPeriod, repositoryPolicy } from "./audit.js";
import { readLocalConfig } from "./config-file.js";
import { describeFailure, isRequestFailure, readOnlyOctokit, WriteRefusedError } from "./github-client.js";
import { CommandFailure, EXIT_FAILED, EXIT_OK, outputWidth, writeLine, type CliIo } from "./io.js";
import { configProblemsText, findingsText, writeJson } from "./output.js";

/** The help text of the command. */
export const PREVIEW_USAGE = `Usage: hotfix-guard preview <owner/repo> [options]

Runs the pre-merge rules over the repository's open hotfix pull requests into the production
branch and those merged in a period, and prints what the "Hotfix Guard" check would say on each:
its conclusion, title and rows. Use it to see a policy's effect before turning it on (or before
switching from mode: evaluate to mode: enforce). It only reads from GitHub.

The token comes from the GITHUB_TOKEN environment variable (or --token); it needs read access to
the repository's contents, pull requests and metadata.

Options:
  --config <file>    judge with this local configuration file instead of the repository's
  --since <period>   how far back to take merged hotfixes: 30d (default), 2w, 720h, or a date
  --token <token>    a GitHub token (default: $GITHUB_TOKEN)
  --json             print the preview as JSON
  --api-url <url>    the REST API root, for GitHub Enterprise Server: https://<host>/api/v3
  --now <ISO time>   judge as at this time instead of now
  -h, --help         show this help

Exit codes: 0 every hotfix previewed (whatever the verdicts), 1 GitHub refused, a pull request
could not be read, or the configuration is invalid, 2 wrong usage.`;

/** One hotfix pull request as the check would judge it. */
export interface PreviewedPullRequest {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly state: "open" | "merged";
  readonly headRef: string;
  readonly headSha: string;
  /** The check run's conclusion and title, as the app would publish them (neutral in evaluate mode). */
  readonly conclusion: string;
  readonly checkTitle: string;
  /** What enforce mode would conclude. */
  readonly enforceConclusion: "success" | "failure";
  readonly findings: readonly Finding[];
}

/** What `preview` prints. */
export interface Preview {
  readonly repository: string;
  readonly production: string;
  readonly since: string;
  readonly until: string;
  readonly mode: Policy["config"]["mode"];
  readonly configuration: readonly string[];
  readonly floor: string | null;
  /** Rows where a file loosened the organisation floor (the floor applied). */
  readonly floorProblems: readonly ConfigProblem[];
  readonly pullRequests: readonly PreviewedPullRequest[];
  readonly failures: readonly { readonly number: number; readonly error: string }[];
}

interface Listed {
  readonly summary: OpenPullRequestSummary;
  readonly state: "open" | "merged";
}

/** The policy to preview with: the local file given with `--config`, else the repository's (read as the app reads it). */
async function repositoryPolicyOrLocal(
  audit: AuditGateway,
  args: { repo: { owner: string; repo: string }; config?: string },
  cwd: string,
  services: ReturnType<typeof createServices>,
  name: string,
): Promise<{ fullName: string; policy: Policy }> {
  if (args.config === undefined) return repositoryPolicy({ repo: args.repo, audit, services }, name);
  const repository = await audit.getRepository(args.repo);
  if (!repository) throw new CommandFailure(`${name} not found, or the token cannot see it. Check the name, and that the token may read it.`);
  const floor = await audit.getOrganisationFloor(args.repo.owner, CONFIG_PATH);
  const local = await readLocalConfig(args.config, cwd, floor ? { file: floor, owner: args.repo.owner } : undefined);
  if (!local.result.ok) throw new InvalidConfiguration(local.result.problems, local.result.files);
  return { fullName: repository.fullName, policy: local.result.policy };
}

async function previewOne(audit: AuditGateway, repo: { owner: string; repo: string }, policy: Policy, listed: Listed, now: Date, ownLogin: string): Promise<PreviewedPullRequest | null> {
  const pr = await audit.getPullRequest(repo, listed.summary.number);
  const check = await pullRequestCheck(audit, repo, pr, policy, now, () => Promise.resolve(ownLogin));
  if (!check?.evaluation) return null;
  return {
    number: pr.number,
    title: listed.summary.title,
    url: listed.summary.url,
    state: listed.state,
    headRef: pr.headRef,
    headSha: pr.headSha,
    conclusion: check.output.conclusion,
    checkTitle: check.output.title,
    enforceConclusion: check.evaluation.conclusion,
    findings: check.evaluation.findings,
  };
}

async function buildPreview(audit: AuditGateway, args: NonNullable<ReturnType<typeof parseRepositoryPeriod>>, cwd: string): Promise<Preview> {
  const name = `${args.repo.owner}/${args.repo.repo}`;
  const services = createServices({ now: () => args.now });
  const { fullName, policy } = await repositoryPolicyOrLocal(audit, args, cwd, services, name);
  const { production } = policy.config.branches;
  const [open, merged] = await Promise.all([audit.listOpenPullRequestsInto(args.repo, production), audit.listMergedPullRequestsInto(args.repo, production, args.since.toISOString())]);
  const listed: Listed[] = [...open.map((summary) => ({ summary, state: "open" as const })), ...merged.map((summary) => ({ summary, state: "merged" as const }))].filter(
    ({ summary }) => classifyPullRequest(summary, policy).kind === "hotfix",
  );
  const pullRequests: PreviewedPullRequest[] = [];
  const failures: { number: number; error: string }[] = [];
  for (const item of listed) {
    try {
      const previewed = await previewOne(audit, args.repo, policy, item, args.now, `${args.appSlug}[bot]`);
      if (previewed) pullRequests.push(previewed);
    } catch (error) {
      if (!isRequestFailure(error) || error instanceof WriteRefusedError) throw error;
      failures.push({ number: item.summary.number, error: describeFailure(error, args.apiUrl) });
    }
  }
  return {
    repository: fullName,
    production,
    since: args.since.toISOString(),
    until: args.now.toISOString(),
    mode: policy.config.mode,
    configuration: policy.source.files,
    floor: policy.source.floorFile ?? null,
    floorProblems: policy.source.floorProblems ?? [],
    pullRequests,
    failures,
  };
}

function previewText(preview: Preview, width: number): string {
  const configuration = preview.configuration.length > 0 ? preview.configuration.join(", then ") : "the defaults";
  const open = preview.pullRequests.filter((pr) => pr.state === "open").length;
  const wouldFail = preview.pullRequests.filter((pr) => pr.enforceConclusion === "failure").length;
  const lines = [
    `${preview.repository}: the "Hotfix Guard" check on ${open} open hotfix pull request(s) into ${preview.production} and ${preview.pullRequests.length - open} merged since ${preview.since.slice(0, 10)}.`,
    `Configuration: ${configuration}${preview.floor ? `; organisation floor: ${preview.floor}` : ""}; mode: ${preview.mode}.`,
  ];
  if (preview.floorProblems.length > 0) lines.push("", "The organisation floor applies where a file loosens it:", configProblemsText(preview.floorProblems, width));
  for (const pr of preview.pullRequests) {
    lines.push("", `#${pr.number} (${pr.state}) ${pr.headRef} at ${pr.headSha.slice(0, 7)}: ${pr.title}`, `  ${pr.conclusion}: ${pr.checkTitle}`, findingsText(pr.findings, width));
  }
  for (const failure of preview.failures) lines.push("", `#${failure.number} could not be read: ${failure.error}`);
  lines.push("", `In enforce mode, ${wouldFail} of ${preview.pullRequests.length} would fail the check.`);
  return lines.join("\n");
}

/**
 * Runs `preview`.
 * @returns 0 when every hotfix was previewed, whatever the verdicts; 1 when GitHub refused, one
 * could not be read, or the configuration is invalid; a usage error (exit 2) for wrong usage.
 */
export async function previewCommand(io: CliIo): Promise<number> {
  const args = parseRepositoryPeriod(io, "preview", { markdown: false, example: "30d", config: true, defaultSince: "30d" });
  if (!args) {
    writeLine(io.stdout, PREVIEW_USAGE);
    return EXIT_OK;
  }
  const octokit = readOnlyOctokit({ token: args.token, ...(args.apiUrl !== DEFAULT_API_BASE ? { baseUrl: args.apiUrl } : {}), notify: (message) => writeLine(io.stderr, message) });
  try {
    const preview = await buildPreview(new OctokitAuditGateway(octokit), args, io.cwd);
    if (args.json) writeJson(io.stdout, preview);
    else writeLine(io.stdout, previewText(preview, outputWidth(io.stdout)));
    return preview.failures.length > 0 ? EXIT_FAILED : EXIT_OK;
  } catch (error) {
    if (error instanceof InvalidConfiguration) {
      writeLine(io.stderr, `hotfix-guard preview: the configuration is invalid, so the check would only say so:`);
      writeLine(io.stderr, configProblemsText(error.problems, outputWidth(io.stderr)));
    } else if (error instanceof CommandFailure) writeLine(io.stderr, `hotfix-guard preview: ${error.message}`);
    else if (isRequestFailure(error) || error instanceof WriteRefusedError) writeLine(io.stderr, `hotfix-guard preview: ${describeFailure(error, args.apiUrl)}`);
    else throw error;
    return EXIT_FAILED;
  }
}
