/**
 * An Octokit plugin that counts every GitHub request by method, route template and status, so
 * `/metrics` shows what each kind of event costs and where errors come from.
 *
 * The route label is always a template such as `/repos/{owner}/{repo}/pulls/{pull_number}/files`,
 * never a repository name, a number or a query string. Requests made with a route template
 * (most `octokit.rest.*` calls) carry it; literal paths and absolute URLs (every page
 * `octokit.paginate` fetches, and the `next` links it follows, as
 * `https://api.github.com/repositories/42/pulls/7/files?page=2`) are matched against the routes of
 * `octokit.rest` and the routes already seen, most specific first, and one that matches none counts
 * as {@link OTHER_ROUTE}. The label values are therefore bounded by GitHub's REST routes.
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

/** How many literal (non-parameter) segments a template has: more is more specific. */
function specificity(parts: readonly string[]): number {
  return parts.filter((part) => !part.startsWith("{")).length;
}

type RestMethods = Record<string, Record<string, { endpoint?: { DEFAULTS?: { url?: unknown } } }>>;

/** The route templates of an Octokit's `rest` endpoint methods. */
function restRoutes(octokit: Octokit): string[] {
  const rest = (octokit as Octokit & { rest?: RestMethods }).rest ?? {};
  return Object.values(rest).flatMap((methods) => Object.values(methods).flatMap((method) => (typeof method.endpoint?.DEFAULTS?.url === "string" ? [method.endpoint.DEFAULTS.url] : [])));
}

/** Turns request URLs into bounded route labels. */
export class RouteLabels {
  private templates: { readonly route: string; readonly parts: string[] }[] = [];
  private readonly known = new Set<string>();

  /** Adds route templates to match absolute URLs against. */
  learn(routes: Iterable<string>): void {
    let added = false;
    for (const route of routes) {
      const path = pathOf(route);
      if (this.known.has(path)) continue;
      this.known.add(path);
      this.templates.push({ route: path, parts: segments(path) });
      added = true;
    }
    if (added) this.templates = this.templates.sort((a, b) => specificity(b.parts) - specificity(a.parts));
  }

  /** The route label of a request URL: a route template from the code, or a literal path or URL. */
  label(url: string): string {
    const path = pathOf(url);
    if (url.startsWith("/") && path.includes("{")) {
      this.learn([path]);
      return path;
    }
    const literal = segments(path);
    return this.templates.find(({ parts }) => matches(parts, literal))?.route ?? OTHER_ROUTE;
  }
}

/**
 * The plugin, counting into `counter`. The REST route templates are learnt from the first Octokit
 * only: every instance of the class has the same `rest` methods, and reading them all builds each
 * of the ~1,000 methods, which cost more CPU than the rest of an event's work when it was done for
 * the Octokit of every event.
 */
export function requestMetrics(counter: RequestCounter, routes: RouteLabels = new RouteLabels()) {
  let learnt = false;
  return (octokit: Octokit): void => {
    if (!learnt) {
      routes.learn(restRoutes(octokit));
      learnt = true;
    }
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
