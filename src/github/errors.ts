/**
 * The failures of a GitHub request, as types instead of status codes each caller sniffs. The door
 * (`src/github`) maps an Octokit error once, with {@link githubError}: the statuses that carry
 * meaning become values there (a 404 that means "none"), the rest are thrown as one of these.
 * Each keeps the original `status`, `message` and `response`, so the durable worker still reads a
 * rate limit's wait from the headers, and the original error as `cause`.
 */

interface HttpFailure {
  readonly status?: number;
  readonly message?: string;
  readonly name?: string;
  readonly code?: string;
  readonly response?: { readonly headers?: Record<string, string | undefined>; readonly data?: unknown };
}

function failure(error: unknown): HttpFailure {
  return typeof error === "object" && error !== null ? (error as HttpFailure) : {};
}

/** Any failure of a GitHub request, typed. */
export class GithubError extends Error {
  readonly status: number | undefined;
  readonly response: HttpFailure["response"];
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "GithubError";
    this.status = failure(cause).status;
    this.response = failure(cause).response;
  }
}

/** 404: the thing does not exist, or the token may not see it. */
export class NotFoundError extends GithubError {
  override readonly name = "NotFoundError";
}

/** 401 or 403 other than a rate limit: the app lacks a permission or its token is bad. */
export class ForbiddenError extends GithubError {
  override readonly name = "ForbiddenError";
}

/** 422: GitHub refused the request as invalid; nothing was written. */
export class ValidationError extends GithubError {
  override readonly name = "ValidationError";
}

/** A primary or secondary rate limit: nothing was done; try again after {@link waitMs}. */
export class RateLimitedError extends GithubError {
  override readonly name = "RateLimitedError";
  constructor(
    message: string,
    cause: unknown,
    /** How long GitHub asked to wait, in milliseconds. */
    readonly waitMs: number,
  ) {
    super(message, cause);
  }
}

/** A 5xx, a dropped connection or a timeout: the request may or may not have been carried out. */
export class ServerError extends GithubError {
  override readonly name = "ServerError";
}

/**
 * A create failed ambiguously (a 5xx, a reset, a timeout) and looking again found nothing: it may
 * still appear. The job fails so the queue retries it, and the retry looks before creating.
 */
export class AmbiguousWriteError extends GithubError {
  override readonly name = "AmbiguousWriteError";
}

/** A secondary limit without `retry-after`: GitHub asks for at least a minute. */
const SECONDARY_LIMIT_FALLBACK_MS = 60_000;

/** How long a rate-limited answer asks to wait (ms), or null when the failure is no rate limit. */
export function rateLimitWaitOf(error: unknown, now: Date = new Date()): number | null {
  const { status, message, response } = failure(error);
  const headers = response?.headers ?? {};
  const limited = status === 429 || (status === 403 && (/rate limit/i.test(message ?? "") || headers["x-ratelimit-remaining"] === "0"));
  if (!limited) return null;
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (Number.isFinite(reset) && reset > 0) return Math.max(1000, reset * 1000 - now.getTime() + 1000);
  return SECONDARY_LIMIT_FALLBACK_MS;
}

/** The HTTP status of a failed request, when it has one. */
export function statusOf(error: unknown): number | undefined {
  return failure(error).status;
}

/** Whether the failure was a 404. */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404 || error instanceof NotFoundError;
}

/**
 * Whether a failed write may have been carried out: a 5xx, or no answer at all (a reset, a
 * timeout; Octokit reports a failed fetch as status 500). A 4xx or a rate limit wrote nothing.
 */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof ServerError || error instanceof AmbiguousWriteError) return true;
  if (error instanceof GithubError) return false;
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

/** Whether trying again later can succeed: a rate limit, a 5xx, a reset or a timeout, an ambiguous write. */
export function isTransient(error: unknown): boolean {
  return error instanceof RateLimitedError || rateLimitWaitOf(error) !== null || isAmbiguous(error);
}

/** Maps a failed request to its type; a {@link GithubError} is returned as it is. */
export function githubError(error: unknown, what: string, now: Date = new Date()): GithubError {
  if (error instanceof GithubError) return error;
  const { status, message } = failure(error);
  const text = `${what}: ${status ? `HTTP ${status}: ` : ""}${message ?? String(error)}`;
  const wait = rateLimitWaitOf(error, now);
  if (wait !== null) return new RateLimitedError(text, error, wait);
  if (status === 404) return new NotFoundError(text, error);
  if (status === 401 || status === 403) return new ForbiddenError(text, error);
  if (status === 422) return new ValidationError(text, error);
  if (isAmbiguous(error)) return new ServerError(text, error);
  return new GithubError(text, error);
}
