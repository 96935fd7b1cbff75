/**
 * An Octokit plugin that counts every GitHub request by method, route template and status, so
 * `/metrics` shows what each kind of event costs and where errors come from.
 */
import type { Octokit } from "@octokit/core";

/** Where the counts go. */
export interface RequestCounter {
  count(name: "hotfix_guard_github_requests_total", labels: Record<string, string>): void;
}

/** The plugin, counting into `counter`. */
export function requestMetrics(counter: RequestCounter) {
  return (octokit: Octokit): void => {
    octokit.hook.wrap("request", async (request, options) => {
      const labels = { method: options.method, route: String(options.url) };
      try {
        const response = await request(options);
        counter.count("hotfix_guard_github_requests_total", { ...labels, status: String(response.status) });
        return response;
      } catch (error) {
        counter.count("hotfix_guard_github_requests_total", { ...labels, status: String((error as { status?: number }).status ?? "error") });
        throw error;
      }
    });
  };
}
