/**
 * The fake GitHub itself, over plain `fetch`: each fault kind does what the fault suite relies on
 * (an applied fault creates the item, a non-applied one does not; a reset reaches the client as a
 * failed request; the secondary limit carries GitHub's message and `retry-after`), faults hit the
 * nth matching call only, unknown routes are recorded, and items written with an installation
 * token are authored by the app's bot.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BOT_LOGIN, FakeGitHub, SECONDARY_LIMIT_MESSAGE, type FaultKind } from "./fake-github.js";
import { Clock } from "./harness.js";

const clock = new Clock(new Date("2026-11-23T15:00:00Z"));
const fake = new FakeGitHub({ appId: 77, now: clock.now, timeoutHoldMs: 50 });
let token = "";

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(async () => {
  fake.reset();
  fake.addRepo("acme/payments");
  const response = await fetch(`${fake.url}/app/installations/1/access_tokens`, { method: "POST", headers: { authorization: "bearer a.b.c" } });
  token = ((await response.json()) as { token: string }).token;
});

async function createIssue(title: string): Promise<{ status: number | "failed"; body?: any; headers?: Headers }> {
  try {
    const response = await fetch(`${fake.url}/repos/acme/payments/issues`, {
      method: "POST",
      headers: { authorization: `token ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title, labels: ["hotfix:merge-back"] }),
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  } catch {
    return { status: "failed" };
  }
}

const ISSUES = "/repos/:owner/:repo/issues";

describe("fault kinds", () => {
  it.each<[FaultKind, number | "failed", number]>([
    ["5xx", 502, 0],
    ["ambiguous-5xx", 502, 1],
    ["ambiguous-reset", "failed", 1],
    ["reset", "failed", 0],
    ["secondary-limit", 403, 0],
    ["timeout", "failed", 1],
  ])("%s answers %s and leaves %i issue", async (kind, status, created) => {
    fake.inject({ method: "POST", route: ISSUES, kind });
    const answer = await createIssue("Back-merge hotfix #42");
    expect(answer.status).toBe(status);
    expect(fake.issuesOf("acme/payments")).toHaveLength(created);
    expect(fake.writes.get(`POST ${ISSUES}`) ?? 0).toBe(created);
    expect(fake.faultsFired).toHaveLength(1);
  });

  it("gives the secondary limit GitHub's message and a retry-after", async () => {
    fake.inject({ method: "POST", route: ISSUES, kind: "secondary-limit" });
    const answer = await createIssue("x");
    expect(answer.body.message).toBe(SECONDARY_LIMIT_MESSAGE);
    expect(answer.headers?.get("retry-after")).toBe("60");
  });

  it("hits only the nth call that matches, counting each rule's matches", async () => {
    fake.inject({ method: "POST", route: ISSUES, kind: "5xx", calls: [2] });
    fake.inject({ method: "POST", route: ISSUES, kind: "ambiguous-5xx", calls: [3], when: (request) => request.body.title === "c" });
    expect((await createIssue("a")).status).toBe(201);
    expect((await createIssue("b")).status).toBe(502);
    expect((await createIssue("c")).status).toBe(201);
    expect((await createIssue("c")).status).toBe(201);
    expect((await createIssue("c")).status).toBe(502);
    expect(fake.issuesOf("acme/payments").map((issue) => issue.title)).toStrictEqual(["a", "c", "c", "c"]);
  });
});

describe("the API", () => {
  it("authors what an installation token writes as the app's bot, and lists it with GitHub's shape", async () => {
    await createIssue("Back-merge hotfix #42");
    const response = await fetch(`${fake.url}/repos/acme/payments/issues?labels=hotfix%3Amerge-back&state=all`, { headers: { authorization: `token ${token}` } });
    const [issue] = (await response.json()) as any[];
    expect(issue).toMatchObject({ number: 1, title: "Back-merge hotfix #42", state: "open", user: { login: BOT_LOGIN, type: "Bot" }, labels: [{ name: "hotfix:merge-back" }] });
  });

  it("answers unknown routes 404 and records them", async () => {
    const response = await fetch(`${fake.url}/repos/acme/payments/deployments`);
    expect(response.status).toBe(404);
    expect(fake.unknown).toStrictEqual(["GET /repos/acme/payments/deployments"]);
  });

  it("serves the configuration file raw or base64, and 404 when there is none", async () => {
    fake.repo("acme/payments").files.set(".github/hotfix-guard.yml", "merge_back:\n  open_pull_requests: true\n");
    const path = `${fake.url}/repos/acme/payments/contents/.github%2Fhotfix-guard.yml`;
    expect(await (await fetch(path, { headers: { accept: "application/vnd.github.v3.raw" } })).text()).toBe("merge_back:\n  open_pull_requests: true\n");
    const json = (await (await fetch(path)).json()) as { content: string; encoding: string };
    expect(Buffer.from(json.content, json.encoding as BufferEncoding).toString()).toContain("open_pull_requests");
    expect((await fetch(`${fake.url}/repos/acme/.github/contents/.github%2Fhotfix-guard.yml`)).status).toBe(404);
  });

  it("compares by ancestry: a commit already in the base is behind, a new one ahead", async () => {
    fake.addCommit("acme/payments", { sha: "a".repeat(40) });
    fake.addCommit("acme/payments", { sha: "b".repeat(40), parents: ["a".repeat(40)] });
    fake.setBranch("acme/payments", "develop", "b".repeat(40));
    const status = async (basehead: string) => ((await (await fetch(`${fake.url}/repos/acme/payments/compare/${encodeURIComponent(basehead)}`)).json()) as { status: string }).status;
    expect(await status(`develop...${"a".repeat(40)}`)).toBe("behind");
    expect(await status(`${"a".repeat(40)}...develop`)).toBe("ahead");
    expect(await status(`develop...${"b".repeat(40)}`)).toBe("identical");
  });
});
