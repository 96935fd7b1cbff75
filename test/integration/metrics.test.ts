/**
 * What `/metrics` exposes after real requests with real paths: GitHub routes as templates (never a
 * repository, a number or a query string, even on the `next` links pagination follows), event
 * names limited to the known ones, and the optional bearer token, on the public server and on a
 * listener of its own.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serviceOctokit } from "../../src/github/octokit.js";
import { Metrics, metricsRoute, startMetricsServer } from "../../src/server/metrics.js";
import type { Database } from "../../src/store/database.js";
import { BACKENDS, FakeClock, resetTables } from "../helpers/databases.js";
import { startDurableServer } from "../helpers/durable.js";
import { pullRequestEvent } from "../helpers/fixtures.js";

const [pglite] = BACKENDS;

/** The values a label takes on a metric in Prometheus text. */
function labelValues(text: string, metric: string, label: string): string[] {
  const values = text
    .split("\n")
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => new Map([...line.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value])).get(label) ?? "");
  return [...new Set(values)].sort();
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("GitHub request metrics", () => {
  it("label requests with route templates, never repository names, numbers or query strings", async () => {
    const metrics = new Metrics();
    const Octokit = serviceOctokit(metrics);
    const octokit = new Octokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } } as never);
    const github = nock("https://api.github.com");
    github
      .get("/repos/acme/payments/pulls/7/files")
      .query({ per_page: "100" })
      .reply(200, [{ filename: "a.ts" }], { link: '<https://api.github.com/repositories/4242/pulls/7/files?per_page=100&page=2>; rel="next"' });
    github.get("/repositories/4242/pulls/7/files").query({ per_page: "100", page: "2" }).reply(200, [{ filename: "b.ts" }]);
    github.get("/repos/acme/payments/contents/.github%2Fhotfix-guard.yml").reply(404, { message: "Not Found" });
    github.get("/app/hook/deliveries").query({ per_page: "100" }).reply(200, []);
    github.get("/repos/acme/payments/secret-thing").query({ q: "acme" }).reply(200, {});

    await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "acme", repo: "payments", pull_number: 7, per_page: 100 });
    await octokit.rest.repos.getContent({ owner: "acme", repo: "payments", path: ".github/hotfix-guard.yml" }).catch(() => undefined);
    await octokit.request("GET /app/hook/deliveries", { per_page: 100 });
    await octokit.request("GET https://api.github.com/repos/acme/payments/secret-thing?q=acme");

    expect(github.pendingMocks()).toStrictEqual([]);
    const text = await metrics.text();
    expect(labelValues(text, "hotfix_guard_github_requests_total", "route")).toStrictEqual([
      "/app/hook/deliveries",
      "/repos/{owner}/{repo}/contents/{path}",
      "/repos/{owner}/{repo}/pulls/{pull_number}/files",
      "other",
    ]);
    expect(await metrics.value("hotfix_guard_github_requests_total", { route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "200" })).toBe(2);
    expect(await metrics.value("hotfix_guard_github_requests_total", { route: "/repos/{owner}/{repo}/contents/{path}", status: "404" })).toBe(1);
    expect(text).not.toMatch(/acme|payments|4242|page=|hotfix-guard\.yml|\?/);
  });

  it("label the pages of every event's Octokit with route templates, not only the first one's", async () => {
    const metrics = new Metrics();
    const Octokit = serviceOctokit(metrics);
    const options = { auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } } as never;
    const github = nock("https://api.github.com");
    for (const number of [7, 8]) {
      github
        .get(`/repos/acme/payments/pulls/${number}/files`)
        .query({ per_page: "100" })
        .reply(200, [{ filename: "a.ts" }], { link: `<https://api.github.com/repositories/4242/pulls/${number}/files?per_page=100&page=2>; rel="next"` });
      github.get(`/repositories/4242/pulls/${number}/files`).query({ per_page: "100", page: "2" }).reply(200, [{ filename: "b.ts" }]);
    }

    for (const number of [7, 8]) {
      const octokit = new Octokit(options);
      await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: "acme", repo: "payments", pull_number: number, per_page: 100 });
    }

    expect(github.pendingMocks()).toStrictEqual([]);
    expect(labelValues(await metrics.text(), "hotfix_guard_github_requests_total", "route")).toStrictEqual(["/repos/{owner}/{repo}/pulls/{pull_number}/files"]);
    expect(await metrics.value("hotfix_guard_github_requests_total", { route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "200" })).toBe(4);
  });
});

describe("delivery metrics", () => {
  let db: Database;

  beforeAll(async () => {
    db = await pglite!.open();
  }, 120_000);
  afterAll(() => pglite!.dispose(db));

  it("count known events by name and any other name as 'other'", async () => {
    await resetTables(db);
    const server = await startDurableServer(db, new FakeClock(new Date("2026-11-23T15:00:00Z")));
    try {
      await server.deliver(pullRequestEvent("opened"));
      await server.deliver({ id: "made-up-1", name: "acme-payments-secret-project", payload: { zen: "x" } });
      await server.deliver({ id: "made-up-2", name: "another-invented-name", payload: { zen: "x" } });

      const text = await (await fetch(`${server.url}/metrics`)).text();

      expect(labelValues(text, "hotfix_guard_deliveries_received_total", "event")).toStrictEqual(["other", "pull_request"]);
      expect(await server.metrics.value("hotfix_guard_deliveries_received_total", { event: "other" })).toBe(2);
      expect(text).not.toMatch(/acme|invented/);
    } finally {
      await server.stop();
    }
  });
});

describe("/metrics protection", () => {
  it("needs Authorization: Bearer <token> when a token is set", async () => {
    const metrics = new Metrics();
    metrics.countDelivery("push", "queued");
    const route = metricsRoute({ metrics, token: "scrape-secret" });
    const url = await listen(createServer((req, res) => void route(req, res)));

    const statuses = await Promise.all(
      [{} as Record<string, string>, { authorization: "Bearer wrong" }, { authorization: "Basic scrape-secret" }, { authorization: "Bearer scrape-secret" }].map(async (headers) => (await fetch(`${url}/metrics`, { headers })).status),
    );

    expect(statuses).toStrictEqual([401, 401, 401, 200]);
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: "Bearer scrape-secret" } })).text();
    expect(text).toContain('hotfix_guard_deliveries_received_total{event="push",result="queued"} 1');
  });

  it("serves only /metrics on a listener of its own", async () => {
    const metrics = new Metrics();
    const server = await startMetricsServer({ metrics, port: 0, host: "127.0.0.1" });
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/api/github/webhooks`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});
