/**
 * With REDIS_URL, Probot's throttling is clustered through Redis so replicas share GitHub's
 * limits, and each installation has limiters of its own, so one busy installation's queue of
 * writes never holds back another's. Runs when REDIS_URL is set (CI sets it).
 */
import { randomInt } from "node:crypto";
import nock from "nock";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { serviceOctokit } from "../../src/github/octokit.js";
import { TEST_PROBOT_OPTIONS } from "../helpers/app.js";

describe.runIf(process.env.REDIS_URL)("throttling through Redis", () => {
  const redis = new Redis(process.env.REDIS_URL as string);
  const installations = [randomInt(1_000_000, 5_000_000), randomInt(5_000_001, 9_000_000), randomInt(9_000_001, 9_999_999)];
  afterAll(async () => {
    for (const id of installations) {
      const keys = await redis.keys(`b_octokit-*-${id}_*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it("keeps a write limiter per installation in Redis, shared by every replica", async () => {
    const { Octokit: _unthrottled, ...options } = TEST_PROBOT_OPTIONS;
    const replicas = [new Probot({ ...options, redisConfig: process.env.REDIS_URL }), new Probot({ ...options, redisConfig: process.env.REDIS_URL })];
    const github = nock("https://api.github.com");
    for (const [index, id] of installations.slice(0, 2).entries()) {
      github.post(`/app/installations/${id}/access_tokens`).reply(201, { token: `t${id}`, expires_at: "2099-01-01T00:00:00Z" });
      github.post("/repos/acme/payments/check-runs").reply(201, { id });
      const octokit = await (replicas[index] as Probot).auth(id);
      await octokit.rest.checks.create({ owner: "acme", repo: "payments", name: "Hotfix Guard", head_sha: "a".repeat(40) });
    }

    expect(github.pendingMocks()).toStrictEqual([]);
    for (const id of installations.slice(0, 2)) expect(await redis.keys(`b_octokit-write-${id}_*`)).not.toStrictEqual([]);
  });

  it("throttles a webhook handler's writes by its installation, not process-wide", async () => {
    const id = installations[2] as number;
    const { Octokit: _unthrottled, ...options } = TEST_PROBOT_OPTIONS;
    const probot = new Probot({ ...options, Octokit: serviceOctokit(), redisConfig: process.env.REDIS_URL });
    await probot.load((app) => {
      app.on("issues.opened", async (context) => {
        await context.octokit.rest.issues.createComment(context.issue({ body: "hi" }));
      });
    });
    const github = nock("https://api.github.com")
      .post(`/app/installations/${id}/access_tokens`)
      .reply(201, { token: "t", expires_at: "2099-01-01T00:00:00Z" })
      .post("/repos/acme/payments/issues/1/comments")
      .reply(201, { id: 1 });

    await probot.receive({
      id: "throttle-1",
      name: "issues",
      payload: { action: "opened", issue: { number: 1 }, repository: { name: "payments", owner: { login: "acme" } }, installation: { id } },
    } as never);

    expect(github.pendingMocks()).toStrictEqual([]);
    expect(await redis.keys(`b_octokit-write-${id}_*`)).not.toStrictEqual([]);
  });
});
