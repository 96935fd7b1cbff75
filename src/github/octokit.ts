/**
 * The Octokit class the service runs with. Probot gives webhook contexts an Octokit whose
 * throttling limiters are shared by the whole process (its throttle id is not the installation),
 * so one busy installation's writes, at one per second, would hold back every other
 * installation's. This class keys the limiters by the installation it authenticates as, as
 * `probot.auth(id)` already does, counts every request for `/metrics`, and gives every request
 * attempt a time limit: a request GitHub never answers fails (as a 5xx would, so a read is
 * retried and a create is looked for again by the write policy) instead of holding a job forever.
 */
import { ProbotOctokit } from "probot";
import { requestMetrics, type RequestCounter } from "./request-metrics.js";

type OctokitOptions = { auth?: { installationId?: number | string }; throttle?: Record<string, unknown>; request?: Record<string, unknown> } & Record<string, unknown>;

/** How long one request attempt may take before it is abandoned, by default (ms). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link serviceOctokit}. */
export interface ServiceOctokitOptions {
  /** How long one request attempt may take before it fails as a timeout (ms); {@link REQUEST_TIMEOUT_MS} by default. */
  readonly requestTimeoutMs?: number;
}

/** Gives every installation its own throttling limiters (writes, reads, search). */
export function perInstallationThrottling(Base: typeof ProbotOctokit): typeof ProbotOctokit {
  return Base.defaults((options: OctokitOptions) => {
    const installationId = options?.auth?.installationId;
    if (installationId === undefined || options.throttle?.enabled === false) return options;
    return { ...options, throttle: { ...options.throttle, id: String(installationId) } };
  }) as typeof ProbotOctokit;
}

/**
 * Limits every request attempt to `timeoutMs`: the fetch Octokit calls gets a timeout signal
 * (joined with the caller's own signal, if any), so each retry of a read gets its own limit.
 */
export function requestTimeout(Base: typeof ProbotOctokit, timeoutMs: number): typeof ProbotOctokit {
  return Base.defaults((options: OctokitOptions) => {
    const inner = options?.request?.fetch as typeof fetch | undefined;
    const timedFetch: typeof fetch = (input, init) => {
      const limit = AbortSignal.timeout(timeoutMs);
      const signal = init?.signal ? AbortSignal.any([init.signal, limit]) : limit;
      return (inner ?? globalThis.fetch)(input, { ...init, signal });
    };
    return { ...options, request: { ...options?.request, fetch: timedFetch } };
  }) as typeof ProbotOctokit;
}

/** The service's Octokit: per-installation throttling, a time limit per request, and request counts when a counter is given. */
export function serviceOctokit(counter?: RequestCounter, options: ServiceOctokitOptions = {}): typeof ProbotOctokit {
  const base = counter ? ProbotOctokit.plugin(requestMetrics(counter)) : ProbotOctokit;
  return perInstallationThrottling(requestTimeout(base, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS));
}
