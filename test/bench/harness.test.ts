/**
 * The pieces of `npm run bench`, run cheaply (nothing here is timed): the mock GitHub answers the
 * pre-merge evaluation's requests, counts them by route, records check-run writes and applies its
 * latency; the signed deliveries verify and are padded to GitHub's size; the memory sampler reads
 * /proc; the summariser computes percentiles, medians and spreads the table prints.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hotfixOpened } from "../../bench/deliveries.js";
import { headShaOf, MockGitHub, routeOf } from "../../bench/mock-github.js";
import { cpuMs, productionNodeFlags, ROOT, RssSampler } from "../../bench/processes.js";
import { describe as describeSummary, figure, percentile, summarise } from "../../bench/summary.js";

describe("the bench's mock GitHub", () => {
  const github = new MockGitHub();
  let url: string;
  beforeAll(async () => {
    url = await github.start();
  });
  afterAll(() => github.stop());

  it("answers the evaluation's requests, finds the check run it recorded, and counts by route", async () => {
    const token = await fetch(`${url}/app/installations/7/access_tokens`, { method: "POST" });
    expect(token.status).toBe(201);
    expect(await token.json()).toMatchObject({ token: "ghs_bench_7", permissions: { checks: "write" } });
    expect(await (await fetch(`${url}/repos/acme-7/repo-7/pulls/1007`)).json()).toMatchObject({ number: 1007, head: { sha: headShaOf(1007) } });
    expect((await fetch(`${url}/repos/acme-7/repo-7/contents/.github/hotfix-guard.yml`)).status).toBe(404);
    const created = await fetch(`${url}/repos/acme-7/repo-7/check-runs`, { method: "POST", body: JSON.stringify({ head_sha: headShaOf(1007), output: { summary: "s" } }) });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${url}/repos/acme-7/repo-7/commits/${headShaOf(1007)}/check-runs`)).json()) as { total_count: number };
    expect(listed.total_count).toBe(1);

    const stats = github.stats();
    expect(stats.checkRunWrites).toBe(1);
    expect(stats.lastCheckRunAt).not.toBeNull();
    expect(stats.requests).toStrictEqual({
      "POST /app/installations/{n}/access_tokens": 1,
      "GET /repos/{o}/{r}/pulls/{n}": 1,
      "GET /repos/{o}/{r}/contents/.github/hotfix-guard.yml": 1,
      "POST /repos/{o}/{r}/check-runs": 1,
      "GET /repos/{o}/{r}/commits/{sha}/check-runs": 1,
    });
  });

  it("resets its counts and sets its latency through the control API, which answers at once", async () => {
    const reset = await fetch(`${url}/_bench/reset`, { method: "POST", body: JSON.stringify({ latencyMs: 40 }) });
    expect(await reset.json()).toStrictEqual({ requests: {}, checkRunWrites: 0, lastCheckRunAt: null });
    const started = performance.now();
    await (await fetch(`${url}/app`)).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(github.stats().requests).toStrictEqual({ "GET /app": 1 });
    github.reset(0);
  });

  it("serves the REST API under GitHub Enterprise's /api/v3 too, as the app started with GHE_HOST asks", async () => {
    expect(await (await fetch(`${url}/api/v3/app`)).json()).toMatchObject({ slug: "hotfix-guard" });
    expect(github.stats().requests).toMatchObject({ "GET /app": 1 });
    github.reset();
  });

  it("names routes with placeholders", () => {
    expect(routeOf("GET", "/repos/acme-1/repo-1/collaborators/senior-bob/permission")).toBe("GET /repos/{o}/{r}/collaborators/{u}/permission");
  });
});

describe("the bench's deliveries", () => {
  it("are signed with the secret, carry installation n's repository, and are padded to the size asked", async () => {
    const delivery = await hotfixOpened("s3cret", 5, 1005, 24 * 1024);
    expect(delivery.body.length).toBeGreaterThanOrEqual(24 * 1024);
    expect(await verify("s3cret", delivery.body, delivery.signature)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ action: "opened", installation: { id: 5 }, repository: { full_name: "acme-5/repo-5" }, pull_request: { number: 1005 } });
  });
});

describe("the bench's summary", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100), percentile([3], 99)]).toStrictEqual([50, 99, 100, 3]);
    expect(percentile([], 50)).toBeNaN();
  });

  it("gives the median and the spread over the rounds, ignoring rounds without a figure, with each round's load", () => {
    const odd = summarise([{ value: 9, load: 1 }, { value: 1, load: 2 }, { value: 4, load: 3 }]);
    expect(odd).toStrictEqual({ median: 4, min: 1, max: 9, values: [9, 1, 4], loads: [1, 2, 3] });
    expect(summarise([{ value: 2, load: 0 }, { value: 6, load: 0 }, { value: Number.NaN, load: 0 }]).median).toBe(4);
    expect(describeSummary(odd, " s")).toBe("4 s (1–9) [load 1.0/2.0/3.0]");
    expect(describeSummary(summarise([]))).toBe("n/a");
    expect([figure(1234.5), figure(3.14159), figure(Number.NaN)]).toStrictEqual(["1235", "3.14", "n/a"]);
  });
});

describe.runIf(process.platform === "linux")("the bench's memory sampler", () => {
  it("reads a process's resident memory, and its peak is the highest sample (NaN before any)", () => {
    const sampler = new RssSampler(process.pid);
    try {
      expect(sampler.peak()).toBeNaN();
      const first = sampler.sample();
      expect(first).toBeGreaterThan(10);
      expect(sampler.peak()).toBe(Math.max(...sampler.samples.map((taken) => taken.mib)));
    } finally {
      sampler.stop();
    }
  });

  it("reads a process's CPU time, which grows with the work it does (NaN for no process)", () => {
    const before = cpuMs(process.pid);
    const started = process.cpuUsage();
    let hash = createHash("sha256");
    for (let i = 0; i < 200_000; i += 1) hash = hash.update(String(i));
    hash.digest();
    const used = process.cpuUsage(started);
    const after = cpuMs(process.pid);
    expect(after - before).toBeGreaterThanOrEqual((used.user + used.system) / 1000 - 20);
    expect(cpuMs(0x7ffffff0)).toBeNaN();
  });
});

describe("the bench's systems", () => {
  it("start the app with the Node flags of npm start, which are the Dockerfile's", () => {
    const flags = productionNodeFlags();
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))?.[1];

    expect(flags).toContain("--max-old-space-size=160");
    expect(JSON.parse(cmd ?? "[]")).toStrictEqual(["node", ...flags, "lib/main.js"]);
  });
});
