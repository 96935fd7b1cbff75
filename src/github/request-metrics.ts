/**
 * An Octokit plugin that counts every GitHub request by method, route template and status, so
 * `/metrics` shows what each kind of event costs and where errors come from.
 *
 * The route label is always a template such as `/repos/{owner}/{repo}/pulls/{pull_number}/files`,
 * never a repository name, a number or a query string: requests made through `octokit.rest.*`
 * carry their route (`/repos/{owner}/{repo}/…`, `/app/hook/deliveries`); absolute URLs (the
 * `next` links pagination follows, as `https://api.github.com/repositories/42/pulls/7/files?page=2`)
 * are matched against the templates already seen, and one that matches none counts as
 * {@link OTHER_ROUTE}. The label values are therefore bounded by the routes in the code.
 */
import type { Octokit } from "@octokit/core";

/** The route label of a literal URL that matches no known template. */
export const OTHER_ROUTE = "other";

/** Where the counts go. */
export interface RequestCounter {
  count(name: "hotfix_guard_github_requests_total", labels: Record<string, string>): void;
}

/** The path of a URL or route, without origin, GitHub Enterprise's `/api/v3` prefix or query. */
function pathOf(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split(/[?#]|\{\?/)[0] ?? "";
  return path.replace(/^\/api\/v3(?=\/)/, "") || "/";
}

/** A path's segments; `/repositories/{id}` (GitHub's link form) stands for `/repos/{owner}/{repo}`. */
function segments(path: string): string[] {
  const parts = path.split("/").slice(1);
  return parts[0] === "repositories" ? ["repos", "{owner}", "{repo}", ...parts.slice(2)] : parts;
}

function matches(template: readonly string[], literal: readonly string[]): boolean {
  return template.length === literal.length && template.every((part, i) => part === literal[i] || (part.startsWith("{") && part.endsWith("}")));
}

/** Turns request URLs into bounded route labels. */
export class RouteLabels {
  private readonly templates = new Map<string, string[]>();

  /** The route label of a request URL: a route from the code, or an absolute URL from a response. */
  label(url: string): string {
    const path = pathOf(url);
    if (path.includes("{")) {
      if (!this.templates.has(path)) this.templates.set(path, segments(path));
      return path;
    }
    const literal = segments(path);
    for (const [template, parts] of this.templates) if (matches(parts, literal)) return template;
    return url.startsWith("/") ? path : OTHER_ROUTE;
  }
}

/** The plugin, counting into `counter`. */
export function requestMetrics(counter: RequestCounter, routes: RouteLabels = new RouteLabels()) {
  return (octokit: Octokit): void => {
    octokit.hook.wrap("request", async (request, options) => {
      const labels = { method: options.method, route: routes.label(String(options.url)) };
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
