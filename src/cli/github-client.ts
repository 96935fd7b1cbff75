/**
 * The Octokit the `audit` command reads GitHub with: Probot's own Octokit class (so pagination,
 * retries and throttling behave as in the app), authenticated with a personal or Actions token,
 * and read-only by construction: any request other than GET or HEAD is refused before it leaves,
 * so an audit from a laptop can never write to the repository it audits. When GitHub rate-limits
 * it, it waits as GitHub asks and says so; when a request fails, the failure is put in words that
 * say what to do.
 */
import { createRequire } from "node:module";
import { ProbotOctokit } from "probot";

/** The package version, for the user agent and `--version`. */
export const CLI_VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/** How often one request may wait out a rate limit before the audit gives up. */
const MAX_RATE_LIMIT_WAITS = 2;
/**
 * Retries of a failed request (a 5xx, or no answer at all). The retry plugin waits 1 s, 4 s, 9 s…
 * between them; two keep an unreachable GitHub from holding a terminal silent for long.
 */
const MAX_RETRIES = 2;

/** A request the read-only client refused to send. */
export class WriteRefusedError extends Error {
  override readonly name = "WriteRefusedError";
}

/** What the client needs besides the token. */
export interface ReadOnlyClientOptions {
  readonly token: string;
  /** The REST API root; GitHub Enterprise Server uses `https://<host>/api/v3`. */
  readonly baseUrl?: string;
  /** Tells the user about a wait or a warning from the client. */
  readonly notify: (message: string) => void;
}

type RequestOptions = { readonly method: string; readonly url: string };

function rateLimitHandler(kind: string, notify: (message: string) => void) {
  return (retryAfter: number, options: RequestOptions, _octokit: unknown, retryCount: number): boolean => {
    if (retryCount >= MAX_RATE_LIMIT_WAITS) return false;
    notify(`rate limited by GitHub${kind}, waiting ${retryAfter} s before retrying ${options.method} ${options.url}`);
    return true;
  };
}

/** A token-authenticated Octokit that only reads. */
export function readOnlyOctokit(options: ReadOnlyClientOptions): ProbotOctokit {
  const quiet = () => undefined;
  const octokit = new ProbotOctokit({
    auth: { token: options.token },
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: `hotfix-guard-cli/${CLI_VERSION}`,
    log: { debug: quiet, info: quiet, warn: options.notify, error: options.notify },
    retry: { retries: MAX_RETRIES },
    throttle: {
      onRateLimit: rateLimitHandler("", options.notify),
      onSecondaryRateLimit: rateLimitHandler(" (secondary limit)", options.notify),
    },
  });
  octokit.hook.before("request", (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      throw new WriteRefusedError(`the audit only reads, but was about to send ${request.method} ${request.url}`);
    }
  });
  return octokit;
}

// ── Failures ───────────────────────────────────────────────────────────────────────────────────

/** The fields of an Octokit `RequestError` the messages read. */
interface HttpFailure {
  readonly status?: number;
  readonly message?: string;
  readonly request?: { readonly method?: string; readonly url?: string };
  readonly response?: { readonly headers?: Record<string, string | undefined> };
}

function httpFailure(error: unknown): HttpFailure {
  return typeof error === "object" && error !== null ? (error as HttpFailure) : {};
}

function isRateLimited(failure: HttpFailure): boolean {
  return (failure.status === 403 || failure.status === 429) && failure.response?.headers?.["x-ratelimit-remaining"] === "0";
}

/** Octokit reports a request that never got an answer (DNS, TLS, connection) as HTTP 500 without a response. */
function isUnreachable(failure: HttpFailure): boolean {
  return failure.status === 500 && failure.response === undefined;
}

/** True for a request GitHub answered with an error, or one that never got an answer; anything else is a bug. */
export function isRequestFailure(error: unknown): boolean {
  return httpFailure(error).status !== undefined;
}

/** True for a failure after which every later request would fail the same way: stop rather than go on. */
export function isFatalFailure(error: unknown): boolean {
  const failure = httpFailure(error);
  return !isRequestFailure(error) || failure.status === 401 || isRateLimited(failure) || isUnreachable(failure) || error instanceof WriteRefusedError;
}

function requestText(failure: HttpFailure): string {
  const url = failure.request?.url ? new URL(failure.request.url).pathname : "a request";
  return `${failure.request?.method ?? "GET"} ${url}`;
}

/**
 * What went wrong with a request, in words, with what to do about it.
 * @param apiUrl - the REST API root, named when GitHub could not be reached.
 */
export function describeFailure(error: unknown, apiUrl: string): string {
  if (error instanceof WriteRefusedError) return error.message;
  const failure = httpFailure(error);
  const detail = (failure.message ?? String(error)).split(" - https://")[0];
  if (isUnreachable(failure)) return `could not reach GitHub at ${apiUrl}: ${detail}. Check the network, and --api-url for GitHub Enterprise Server.`;
  if (failure.status === 401) return "the token was refused (bad or expired). Check --token or GITHUB_TOKEN, or create a new token that can read the repository.";
  if (isRateLimited(failure)) {
    const reset = Number(failure.response?.headers?.["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` It resets at ${new Date(reset * 1000).toISOString()}.` : "";
    return `GitHub's rate limit for this token is used up and waiting did not help.${when} Run the audit again then, or over a shorter period.`;
  }
  if (failure.status === 403) return `GitHub refused ${requestText(failure)} (HTTP 403: ${detail}): the token lacks a permission the audit needs (read access to contents, pull requests, issues and metadata).`;
  return `GitHub answered HTTP ${failure.status} to ${requestText(failure)}: ${detail}`;
}
