/**
 * `hotfix-guard check`: runs the pre-merge rules that need nothing from GitHub (the branch name
 * and the PR description: template, severity, incident reference, testing) on a branch name and a
 * description, offline, and prints the rows the check run would show for them. A developer
 * fixes the description before opening the pull request instead of after the check fails.
 *
 * Rows the app fills from GitHub data (scope, test included, commit messages, approvals) are
 * shown as `skip` with what they need, unless the configuration turns the rule off, in which case
 * the rule's own row says so. A skipped row never fails the offline check. Commit messages given
 * with `--commits` are checked as the app checks the pull request's commits; without
 * `--latest-tag`, the latest `vX.Y.Z` tag is read from the git checkout the command runs in.
 */
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { resolveConfig } from "../config/load.js";
import type { Policy } from "../config/policy.js";
import { CONFIG_PATH } from "../config/schema.js";
import { findingsTable, remedies, renderInvalidConfigCheck } from "../render/check-run.js";
import { branchNameRule, looksLikeHotfixBranch, needsLatestTag } from "../rules/branch-name.js";
import { commitMessagesRule } from "../rules/commit-messages.js";
import { verdictOf, type Evaluation } from "../rules/index.js";
import { templateRule } from "../rules/template.js";
import { testsIncludedRule } from "../rules/tests-included.js";
import type { CommitFact, Finding, PullRequestSnapshot, Rule } from "../rules/types.js";
import { readInputFile, readLocalConfig, type LocalConfig } from "./config-file.js";
import { latestLocalTag, type LocalTag } from "./local-git.js";
import { EXIT_FAILED, EXIT_OK, outputWidth, parseCommandLine, parseNowOption, UsageError, writeLine, type CliIo } from "./io.js";
import { configProblemsText, findingsText, remediesText, writeJson } from "./output.js";

/** The help text of the command. */
export const CHECK_USAGE = `Usage: hotfix-guard check --branch <name> --body <file|-> [options]

Runs the hotfix rules that need no GitHub data on a branch name and a pull request description,
offline, and prints the rows the "Hotfix Guard" check run would show for them: branch name,
PR template, severity, incident reference and testing, and commit messages given with --commits.
Scope, test included, commit messages (without --commits) and approvals need the pull request on
GitHub and are shown as "skip".

Options:
  --branch <name>        the hotfix branch, e.g. hotfix/v1.4.3-default-currency (required)
  --body <file|->        the pull request description, from a file or - for standard input (required)
  --config <file>        the configuration (default: ${CONFIG_PATH} when it exists, else the defaults)
  --latest-tag <vX.Y.Z>  the latest release tag, to check the version in the branch name (default:
                         the highest vX.Y.Z tag of the git checkout the command runs in, if any)
  --commits <file|->     commit messages to check against commits.subject and commits.fields,
                         separated by NUL characters: git log --format=%B%x00 origin/main..HEAD
  --now <ISO time>       evaluate at this time instead of now (emergency branch timestamps)
  --json                 print { branch, base, configuration, conclusion, findings, notes } as JSON
  --markdown             print the check run's Markdown table and "How to fix"
  -h, --help             show this help

Exit codes: 0 no failing row, 1 a failing row or an invalid configuration, 2 wrong usage or an
unreadable file.`;

const VERSION_TAG = /^v\d{1,9}\.\d{1,9}\.\d{1,9}$/;

/** A pre-merge rule that reads GitHub data, unless the configuration turns it off. */
interface GithubDataRule {
  readonly rule: string;
  readonly title: string;
  /** The GitHub data the rule reads, for the `skip` row. */
  readonly needs: string;
  /** The rule itself, when the configuration turns it off and it reads nothing. */
  readonly whenOff?: { readonly rule: Rule; readonly isOff: (policy: Policy) => boolean };
}

/** The rows the check run fills from GitHub data, in check-run order. */
export const GITHUB_DATA_RULES: readonly GithubDataRule[] = [
  { rule: "scope", title: "Scope", needs: "the pull request's changed files and line counts" },
  { rule: "tests", title: "Test included", needs: "the pull request's changed files", whenOff: { rule: testsIncludedRule, isOff: (policy) => !policy.config.tests.required } },
  { rule: "commits", title: "Commit messages", needs: "the pull request's commits", whenOff: { rule: commitMessagesRule, isOff: (policy) => policy.config.commits.convention === "off" } },
  { rule: "approvals", title: "Approvals", needs: "the pull request's reviews" },
];

/** The facts an offline check starts from. */
export interface OfflineInput {
  readonly branch: string;
  readonly body: string;
  /** The latest `vX.Y.Z` tag, or null when not given. */
  readonly latestTag: string | null;
  readonly now: Date;
  /** Commit messages to check offline; absent: the commit-message row needs GitHub. */
  readonly commits?: readonly CommitFact[];
}

/**
 * Splits a `--commits` file into commits: messages separated by NUL (`git log --format=%B%x00`),
 * or the whole file as one message. Each is named `#1`, `#2` … in the rows, and none is taken for a
 * merge commit.
 */
export function commitsFromText(text: string): CommitFact[] {
  return text
    .split("\0")
    .map((message) => message.replace(/^\s*\n/, "").trimEnd())
    .filter((message) => message.trim() !== "")
    .map((message, index) => ({ sha: `#${index + 1}`, message, parents: 1 }));
}

/** A pull request snapshot with only what the command line gives; everything GitHub would add is empty. */
function offlineSnapshot(input: OfflineInput, policy: Policy): PullRequestSnapshot {
  return {
    number: 0,
    title: "",
    body: input.body,
    author: "",
    headRef: input.branch,
    headSha: "",
    baseRef: policy.config.branches.production,
    labels: [],
    additions: 0,
    deletions: 0,
    changedFiles: 0,
    reviews: [],
    reviewers: {},
    latestVersionTag: input.latestTag,
    ...(input.commits ? { commits: input.commits } : {}),
  };
}

function githubDataRow(entry: GithubDataRule, snapshot: PullRequestSnapshot, policy: Policy, now: Date): Finding[] {
  if (entry.whenOff?.isOff(policy)) return entry.whenOff.rule(snapshot, policy, now);
  if (entry.rule === "commits" && snapshot.commits) return commitMessagesRule(snapshot, policy, now);
  return [{ rule: entry.rule, title: entry.title, status: "skip", actual: `Not checked offline: needs ${entry.needs} from GitHub.`, expected: "Checked by the app on the pull request." }];
}

/**
 * Evaluates a branch name and description offline: the branch-name and template rules as the app
 * runs them, then a row for each rule that needs GitHub data. Pure.
 */
export function evaluateOffline(input: OfflineInput, policy: Policy): Evaluation {
  const snapshot = offlineSnapshot(input, policy);
  const offline = [branchNameRule, templateRule].flatMap((rule) => rule(snapshot, policy, input.now));
  return verdictOf([...offline, ...GITHUB_DATA_RULES.flatMap((entry) => githubDataRow(entry, snapshot, policy, input.now))]);
}

/** Where the latest release tag came from: the option, the git checkout, or nowhere (and why). */
export type TagSource = { readonly kind: "option" } | { readonly kind: "not-needed" } | LocalTag;

/** What the notes say about the latest release tag, by where it came from. */
function tagNote(source: TagSource): string {
  const passIt = "pass --latest-tag (for example the output of `git describe --tags --abbrev=0 --match 'v*'`)";
  switch (source.kind) {
    case "option":
    case "not-needed":
      return "";
    case "found":
      return `The latest release tag ${source.tag} was read from this git checkout (\`git tag --list 'v*'\`); pass --latest-tag to use another.`;
    case "none":
      return `This git checkout has no vX.Y.Z tag, so the version in the branch name was not compared with a release tag (fetch the tags with \`git fetch --tags\`, or ${passIt}).`;
    case "not-a-checkout":
      return `Did not look for the latest release tag: ${source.reason}. The version in the branch name was not compared with it: ${passIt}.`;
  }
}

/** What the developer should know about the offline result that the rows cannot say. */
function offlineNotes(input: OfflineInput, policy: Policy, tagSource: TagSource): string[] {
  const { prefix, label } = policy.config.hotfix;
  return [
    tagNote(tagSource),
    input.commits && policy.config.commits.convention === "off" ? "The --commits messages were not checked: `commits.convention` is off." : "",
    looksLikeHotfixBranch(input.branch, policy)
      ? ""
      : `\`${input.branch}\` does not start with \`${prefix}\`: the app treats a pull request from it as a hotfix only when it carries the \`${label}\` label.`,
  ].filter(Boolean);
}

function verdictLine(evaluation: Evaluation): string {
  const { failures, warnings } = evaluation;
  if (failures.length > 0) {
    const titles = [...new Set(failures.map((finding) => finding.title))];
    return `Result: ${failures.length} problem${failures.length === 1 ? "" : "s"}: ${titles.join(", ")}.`;
  }
  const warned = warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : "";
  return `Result: hotfix policy met by the rows checked offline${warned}.`;
}

function configurationLine(local: LocalConfig | null): string {
  return local ? `Configuration: ${local.location}, over the defaults.` : `Configuration: the defaults (no ${CONFIG_PATH} here; pass --config to use another file).`;
}

/** The configuration to check with: `--config`, else the repository's file when it exists here, else none (the defaults). */
async function localConfigFor(path: string | undefined, cwd: string): Promise<LocalConfig | null> {
  if (path !== undefined) return readLocalConfig(path, cwd);
  try {
    await access(resolve(cwd, CONFIG_PATH));
  } catch {
    return null;
  }
  return readLocalConfig(CONFIG_PATH, cwd);
}


function parseLatestTag(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!VERSION_TAG.test(text)) throw new UsageError(`--latest-tag must be a release tag such as v1.4.2 (got "${text}").`);
  return text;
}

function parseArguments(io: CliIo) {
  const { values, positionals } = parseCommandLine({
    args: [...io.argv],
    options: {
      branch: { type: "string" },
      body: { type: "string" },
      config: { type: "string" },
      "latest-tag": { type: "string" },
      commits: { type: "string" },
      now: { type: "string" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) return null;
  if (positionals.length > 0) throw new UsageError(`check takes no positional arguments (got ${positionals.join(" ")}); give the branch with --branch and the description with --body.`);
  if (!values.branch) throw new UsageError("--branch is required: the name of the hotfix branch, e.g. --branch hotfix/v1.4.3-default-currency.");
  if (!values.body) throw new UsageError("--body is required: a file holding the pull request description, or - to read it from standard input.");
  if (values.json && values.markdown) throw new UsageError("choose one output: --json or --markdown.");
  return {
    branch: values.branch,
    body: values.body,
    config: values.config,
    latestTag: parseLatestTag(values["latest-tag"]),
    commits: values.commits,
    now: parseNowOption(values.now),
    format: values.json ? ("json" as const) : values.markdown ? ("markdown" as const) : ("text" as const),
  };
}

function writeInvalidConfig(io: CliIo, local: LocalConfig, format: "json" | "markdown" | "text"): void {
  if (local.result.ok) return;
  if (format === "json") {
    writeJson(io.stdout, { configuration: local.location, valid: false, problems: local.result.problems, notes: local.notes });
    return;
  }
  if (format === "markdown") {
    writeLine(io.stdout, renderInvalidConfigCheck(local.result.problems, local.result.files).summary);
    return;
  }
  writeLine(io.stdout, `The configuration ${local.location} is invalid, so the app would fail the check with these problems (run hotfix-guard validate-config ${local.location}):`);
  writeLine(io.stdout);
  writeLine(io.stdout, configProblemsText(local.result.problems, outputWidth(io.stdout)));
}

/** What the command prints after the check. */
interface CheckReport {
  readonly input: OfflineInput;
  readonly policy: Policy;
  readonly local: LocalConfig | null;
  readonly evaluation: Evaluation;
  readonly notes: readonly string[];
}

function writeReport(io: CliIo, report: CheckReport, format: "json" | "markdown" | "text"): void {
  const { evaluation, input, policy, local, notes } = report;
  if (format === "json") {
    writeJson(io.stdout, {
      branch: input.branch,
      base: policy.config.branches.production,
      configuration: local?.location ?? "defaults",
      conclusion: evaluation.conclusion,
      findings: evaluation.findings,
      notes,
    });
    return;
  }
  const markdown = format === "markdown";
  const sections = [
    `Offline check of \`${input.branch}\` into \`${policy.config.branches.production}\`, as the "Hotfix Guard" check run would show it.`,
    configurationLine(local),
    markdown ? findingsTable(evaluation.findings) : findingsText(evaluation.findings, outputWidth(io.stdout)),
    markdown ? remedies(evaluation.findings) : remediesText(evaluation.findings),
    notes.map((note) => `Note: ${note}`).join("\n"),
    verdictLine(evaluation),
  ];
  writeLine(io.stdout, sections.filter(Boolean).join("\n\n"));
}

/**
 * Runs `check`: reads the description (a file, or standard input for `-`) and the configuration,
 * evaluates offline and prints the rows.
 * @returns 0 when no row fails, 1 when one does or the configuration is invalid; a
 * {@link UsageError} (exit 2) for wrong usage or an unreadable file.
 */
export async function checkCommand(io: CliIo): Promise<number> {
  const args = parseArguments(io);
  if (!args) {
    writeLine(io.stdout, CHECK_USAGE);
    return EXIT_OK;
  }
  const local = await localConfigFor(args.config, io.cwd);
  const result = local?.result ?? resolveConfig([]);
  if (!result.ok) {
    if (local) writeInvalidConfig(io, local, args.format);
    return EXIT_FAILED;
  }
  const body = args.body === "-" ? await io.readStdin() : await readInputFile(args.body, io.cwd, "body file");
  if (args.body === "-" && args.commits === "-") throw new UsageError("only one of --body and --commits can read standard input.");
  const commitsText = args.commits === undefined ? undefined : args.commits === "-" ? await io.readStdin() : await readInputFile(args.commits, io.cwd, "commits file");
  const tagSource: TagSource =
    args.latestTag !== null ? { kind: "option" } : needsLatestTag(args.branch, result.policy) ? await latestLocalTag(io.cwd) : { kind: "not-needed" };
  const latestTag = args.latestTag ?? (tagSource.kind === "found" ? tagSource.tag : null);
  const input: OfflineInput = { branch: args.branch, body, latestTag, now: args.now, ...(commitsText === undefined ? {} : { commits: commitsFromText(commitsText) }) };
  const evaluation = evaluateOffline(input, result.policy);
  const notes = [...(local?.notes ?? []), ...offlineNotes(input, result.policy, tagSource)];
  writeReport(io, { input, policy: result.policy, local, evaluation, notes }, args.format);
  return evaluation.conclusion === "failure" ? EXIT_FAILED : EXIT_OK;
}
