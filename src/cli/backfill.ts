/**
 * `hotfix-guard backfill <owner/repo> --since 180d`: fills the hotfix log with the hotfixes merged
 * in a period, judged by the same code as `audit` (read-only against GitHub: the client refuses
 * any request but GET), written only to the app's store: PostgreSQL at `DATABASE_URL`, else the
 * embedded database in `DATA_DIR` (default `./data`). Safe to run while the app runs and to run
 * again: what the log already holds is merged, never duplicated. Reports the GitHub requests it
 * made per hotfix.
 */
import { HotfixRecorder } from "../log/recorder.js";
import { backfillPage, type BackfillCursor, type BackfillRun } from "../log/backfill.js";
import { HotfixLogStore } from "../log/store.js";
import { OctokitAuditGateway } from "../github/audit-gateway.js";
import { OctokitMergeBackGateway } from "../github/merge-back-gateway.js";
import { openDatabase } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import { createServices } from "../handlers/services.js";
import { DEFAULT_API_BASE, InvalidConfiguration, parseRepositoryPeriod } from "./audit.js";
import { describeFailure, isRequestFailure, readOnlyOctokit, WriteRefusedError } from "./github-client.js";
import { EXIT_FAILED, EXIT_OK, writeLine, type CliIo } from "./io.js";
import { configProblemsText, writeJson } from "./output.js";

/** The help text of the command. */
export const BACKFILL_USAGE = `Usage: hotfix-guard backfill <owner/repo> --since <period> [options]

Records in the hotfix log the hotfix pull requests merged into the production branch in a period,
judged as the audit command judges them: the entry from the description, reviews, the merge and
its audit verdict, merge-back targets and the post-incident issue. It only reads from GitHub and
writes only to the app's store: PostgreSQL at DATABASE_URL, else the embedded database in DATA_DIR
(default ./data; stop the app first, the embedded database has one user). Running it again, or
while the app records the same hotfixes, adds nothing twice.

The token comes from --token or the GITHUB_TOKEN environment variable; it needs read access to
the repository's contents, pull requests, issues and metadata.

Options:
  --since <period>   how far back: 180d, 26w, or a date such as 2026-06-01 (UTC) (required)
  --token <token>    a GitHub token (default: $GITHUB_TOKEN)
  --json             print the summary as JSON
  --api-url <url>    the REST API root, for GitHub Enterprise Server: https://<host>/api/v3
  --app-slug <slug>  the app's slug, to find its audit records and issues (default: hotfix-guard)
  --now <ISO time>   end the period at this time instead of now
  -h, --help         show this help

Exit codes: 0 every hotfix recorded, 1 one could not be read, GitHub refused, or the
configuration is invalid, 2 wrong usage.`;

/** Hotfixes judged per page; the command runs the pages one after another. */
const PAGE_SIZE = 25;

/** The summary the command prints. */
export interface BackfillSummary {
  readonly repository: string;
  readonly since: string;
  readonly until: string;
  readonly hotfixes: number;
  readonly recorded: number;
  readonly failures: readonly { readonly number: number; readonly error: string }[];
  /** GitHub requests made, in all and per recorded hotfix. */
  readonly requests: number;
  readonly requestsPerHotfix: number | null;
  readonly store: string;
}

/**
 * Runs `backfill`.
 * @returns 0 when every hotfix in the period was recorded; 1 when one could not be, GitHub refused,
 * or the configuration is invalid; a usage error (exit 2) for wrong usage.
 */
export async function backfillCommand(io: CliIo): Promise<number> {
  const args = parseRepositoryPeriod(io, "backfill", { markdown: false, example: "180d" });
  if (!args) {
    writeLine(io.stdout, BACKFILL_USAGE);
    return EXIT_OK;
  }
  const { repo, since, now, token, apiUrl } = args;
  const octokit = readOnlyOctokit({ token, ...(apiUrl !== DEFAULT_API_BASE ? { baseUrl: apiUrl } : {}), notify: (message) => writeLine(io.stderr, message) });
  let requests = 0;
  octokit.hook.before("request", () => {
    requests += 1;
  });
  const db = await openDatabase({ url: io.env.DATABASE_URL, dataDir: io.env.DATA_DIR });
  const storeName = db.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `the embedded database in ${io.env.DATA_DIR ?? "./data"}`;
  try {
    await migrate(db);
    const store = new HotfixLogStore(db, () => now);
    const problems: unknown[] = [];
    const recorder = new HotfixRecorder(store, () => now, { warn: (details) => problems.push(details) }, "backfill");
    const ownLogin = `${args.appSlug}[bot]`;
    const services = createServices({ now: () => now });
    services.ownLogin = Promise.resolve(ownLogin);
    const run: BackfillRun = {
      repo,
      now,
      since,
      ownLogin,
      services,
      audit: new OctokitAuditGateway(octokit),
      mergeBack: new OctokitMergeBackGateway(octokit),
      recorder,
      issueTimes: async (number) => {
        const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
        return { createdAt: data.created_at, closedAt: data.closed_at };
      },
    };
    let cursor: BackfillCursor | null = null;
    let repository = `${repo.owner}/${repo.repo}`;
    let hotfixes = 0;
    let recorded = 0;
    const failures: { number: number; error: string }[] = [];
    do {
      const page = await backfillPage(run, cursor, PAGE_SIZE);
      ({ repository, hotfixes } = page);
      recorded += page.recorded.length;
      failures.push(...page.failures);
      cursor = page.next;
    } while (cursor);
    if (problems.length > 0) throw new Error(`the store refused ${problems.length} write(s): ${JSON.stringify(problems[0])}`);
    const summary: BackfillSummary = {
      repository,
      since: since.toISOString(),
      until: now.toISOString(),
      hotfixes,
      recorded,
      failures,
      requests,
      requestsPerHotfix: recorded === 0 ? null : Math.round((requests / recorded) * 10) / 10,
      store: storeName,
    };
    if (args.json) writeJson(io.stdout, summary);
    else {
      writeLine(io.stdout, `${repository}: ${recorded} of ${hotfixes} hotfixes merged since ${summary.since.slice(0, 10)} recorded in the hotfix log (${storeName}).`);
      writeLine(io.stdout, `GitHub requests: ${requests}${summary.requestsPerHotfix === null ? "" : ` (${summary.requestsPerHotfix} per hotfix)`}.`);
      for (const failure of failures) writeLine(io.stdout, `#${failure.number} could not be read: ${failure.error}`);
    }
    return failures.length > 0 ? EXIT_FAILED : EXIT_OK;
  } catch (error) {
    if (error instanceof InvalidConfiguration) {
      writeLine(io.stderr, `hotfix-guard backfill: the Hotfix Guard configuration of ${repo.owner}/${repo.repo} is invalid:`);
      writeLine(io.stderr, configProblemsText(error.problems, 100));
    } else if (isRequestFailure(error) || error instanceof WriteRefusedError) writeLine(io.stderr, `hotfix-guard backfill: ${describeFailure(error, apiUrl)}`);
    else throw error;
    return EXIT_FAILED;
  } finally {
    await db.close();
  }
}
