/**
 * The Octokit class the service runs with. Probot gives webhook contexts an Octokit whose
 * throttling limiters are shared by the whole process (its throttle id is not the installation),
 * so one busy installation's writes, at one per second, would hold back every other
 * installation's. This class keys the limiters by the installation it authenticates as, as
 * `probot.auth(id)` already does, and counts every request for `/metrics`.
 */
import { ProbotOctokit } from "probot";
import { requestMetrics, type RequestCounter } from "./request-metrics.js";

type OctokitOptions = { auth?: { installationId?: number | string }; throttle?: Record<string, unknown> } & Record<string, unknown>;

/** Gives every installation its own throttling limiters (writes, reads, search). */
export function perInstallationThrottling(Base: typeof ProbotOctokit): typeof ProbotOctokit {
  return Base.defaults((options: OctokitOptions) => {
    const installationId = options?.auth?.installationId;
    if (installationId === undefined || options.throttle?.enabled === false) return options;
    return { ...options, throttle: { ...options.throttle, id: String(installationId) } };
  }) as typeof ProbotOctokit;
}

/** The service's Octokit: per-installation throttling, and request counts when a counter is given. */
export function serviceOctokit(counter?: RequestCounter): typeof ProbotOctokit {
  return perInstallationThrottling(counter ? ProbotOctokit.plugin(requestMetrics(counter)) : ProbotOctokit);
}
