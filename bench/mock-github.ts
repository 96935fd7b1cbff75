/**
 * The bench's stand-in for api.github.com, run in a process of its own (`tsx bench/mock-github.ts`)
 * so that answering GitHub's side never shares an event loop with the system under test. It knows
 * enough of GitHub for the pre-merge evaluation of a hotfix pull request in any installation
 * (`acme-<n>/repo-<n>`), the app's identity and the start-up delivery recovery, answers after an
 * optional latency, counts requests by route and records every check-run write with its time.
 * A control API under `/_bench/` reads the counts, resets them and sets the latency.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { pullRequestObject } from "../test/helpers/fixtures.js";

/** The app id the mock answers `GET /app` with. */
export const MOCK_APP_ID = 1;

/** What the mock saw since the last reset. */
export interface MockStats {
  /** Requests by route (`METHOD /path` with numbers, shas and names as placeholders). */
  readonly requests: Record<string, number>;
  /** Check runs created or updated. */
  readonly checkRunWrites: number;
  /** When the last check run was written (epoch ms), or null. */
  readonly lastCheckRunAt: number | null;
}

const PERMISSIONS = { checks: "write", contents: "read", pull_requests: "write", issues: "write", statuses: "read", metadata: "read" };

/** Each pull request's head commit, distinct per number. */
export function headShaOf(number: number): string {
  return number.toString(16).padStart(40, "0");
}

/** A request path with its variable parts as placeholders, e.g. `GET /repos/{o}/{r}/pulls/{n}`. */
export function routeOf(method: string, path: string): string {
  const shape = path
    .replace(/\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}")
    .replace(/[0-9a-f]{40}/g, "{sha}")
    .replace(/\/\d+(?=\/|$)/g, "/{n}")
    .replace(/collaborators\/[^/]+/, "collaborators/{u}");
  return `${method} ${shape}`;
}

/** A stateful stand-in for api.github.com: enough of it for the pre-merge evaluation. */
export class MockGitHub {
  private requests = new Map<string, number>();
  private readonly runs = new Map<string, { id: number; summary: string }>();
  private nextId = 1;
  private checkRunWrites = 0;
  private lastCheckRunAt: number | null = null;
  private server: HttpServer | undefined;

  /** @param latencyMs how long every GitHub answer waits (the control API answers at once). */
  constructor(private latencyMs = 0) {}

  /** Listens on a free loopback port; resolves with the base URL. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** What was seen since the last reset. */
  stats(): MockStats {
    return { requests: Object.fromEntries(this.requests), checkRunWrites: this.checkRunWrites, lastCheckRunAt: this.lastCheckRunAt };
  }

  /** Forgets the counts (not the check runs, so later evaluations find them). */
  reset(latencyMs = this.latencyMs): void {
    this.requests = new Map();
    this.checkRunWrites = 0;
    this.lastCheckRunAt = null;
    this.latencyMs = latencyMs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? (JSON.parse(text) as Record<string, any>) : {};
    const url = new URL(req.url ?? "/", "http://mock");
    // GitHub Enterprise's base URL (GHE_HOST) puts the REST API under /api/v3.
    url.pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/_bench/")) {
      if (url.pathname === "/_bench/reset") this.reset(Number(body.latencyMs ?? this.latencyMs));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.stats()));
      return;
    }
    const route = routeOf(method, url.pathname);
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const [status, json] = this.answer(method, url, body);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  }

  private answer(method: string, url: URL, body: Record<string, any>): [number, unknown] {
    const path = url.pathname;
    const repo = /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1] ?? "";
    const number = Number(/\/(?:pulls|issues)\/(\d+)/.exec(path)?.[1] ?? 0);
    if (path === "/app") return [200, { id: MOCK_APP_ID, slug: "hotfix-guard", name: "Hotfix Guard" }];
    if (path === "/app/hook/deliveries") return [200, []];
    const installation = /^\/app\/installations\/(\d+)/.exec(path)?.[1];
    if (method === "POST" && installation && path.endsWith("/access_tokens")) {
      return [201, { token: `ghs_bench_${installation}`, expires_at: "2099-01-01T00:00:00Z", permissions: PERMISSIONS, repository_selection: "all" }];
    }
    if (installation) return [200, { id: Number(installation), account: { login: `acme-${installation}`, id: 4242, type: "Organization" } }];
    if (path.includes("/contents/")) return [404, { message: "Not Found" }];
    if (/\/pulls\/\d+$/.test(path)) return [200, pullRequestObject({ number, headSha: headShaOf(number) })];
    if (path.endsWith("/files")) return [200, [{ filename: "src/pay.ts", status: "modified", additions: 3, deletions: 1 }, { filename: "src/pay.test.ts", status: "added", additions: 9, deletions: 0 }]];
    if (path.endsWith("/reviews")) return [200, []];
    if (path.endsWith("/events") || path.endsWith("/timeline") || path.endsWith("/comments")) return [200, []];
    if (path.includes("/git/matching-refs/")) return [200, [{ ref: "refs/tags/v1.4.2" }]];
    if (path.includes("/collaborators/")) return [200, { permission: "write", role_name: "write" }];
    if (method === "GET" && path.endsWith("/check-runs")) {
      const run = this.runs.get(`${repo}@${path.split("/")[5]}`);
      return [200, { total_count: run ? 1 : 0, check_runs: run ? [{ id: run.id, name: "Hotfix Guard", conclusion: "x", output: { summary: run.summary }, app: { id: MOCK_APP_ID } }] : [] }];
    }
    if (method === "POST" && path.endsWith("/check-runs")) {
      const id = this.nextId++;
      this.runs.set(`${repo}@${body.head_sha as string}`, { id, summary: body.output?.summary as string });
      this.wroteCheckRun();
      return [201, { id, app: { id: MOCK_APP_ID } }];
    }
    if (method === "PATCH" && path.includes("/check-runs/")) {
      for (const run of this.runs.values()) if (path.endsWith(`/${run.id}`)) run.summary = body.output?.summary as string;
      this.wroteCheckRun();
      return [200, {}];
    }
    return [404, { message: "Not Found (bench mock)" }];
  }

  private wroteCheckRun(): void {
    this.checkRunWrites += 1;
    this.lastCheckRunAt = Date.now();
  }
}

// As a process: listens on BENCH_MOCK_PORT (default: a free port) and prints its URL as one JSON line.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const github = new MockGitHub(Number(process.env.BENCH_GITHUB_LATENCY_MS ?? 0));
  const url = await github.start(Number(process.env.BENCH_MOCK_PORT ?? 0));
  console.log(JSON.stringify({ url }));
  process.once("SIGTERM", () => void github.stop().then(() => process.exit(0)));
}
