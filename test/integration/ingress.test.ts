/**
 * The public webhook endpoint against hostile and unusual requests, over real HTTP on a free
 * port: oversized bodies are answered 413 (not a reset connection), an unsigned request is refused
 * before its body arrives, a body that trickles in is cut with 408, Probot's own webhook
 * middleware cannot be reached, and deliveries posted to `/` (where Probot's setup page registers
 * the webhook) go through the store like any other. Runs on PGlite.
 */
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIngress, PROBOT_WEBHOOK_PATH } from "../../src/server/ingress.js";
import { Metrics } from "../../src/server/metrics.js";
import type { Database } from "../../src/store/database.js";
import { JobQueue } from "../../src/store/jobs.js";
import { GitHubMock } from "../helpers/app.js";
import { BACKENDS, FakeClock, resetTables } from "../helpers/databases.js";
import { SECRET, durableServerPerTest, type DurableServer } from "../helpers/durable.js";
import { pullRequestEvent } from "../helpers/fixtures.js";

const T0 = new Date("2026-11-23T15:00:00Z");
const MB = 1024 * 1024;
const [pglite] = BACKENDS;

/** What came back on a raw connection: the status line's code, the body, and whether the server closed it. */
interface RawAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends a request head and part of a body on a raw socket and never finishes the body, the way a
 * slow or hostile client does; resolves with the server's answer once it closes the connection.
 */
function stalledRequest(url: string, head: Record<string, string>, path: string, partialBody: string): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [, status = "0"] = /^HTTP\/1\.1 (\d{3})/.exec(received) ?? [];
      resolve({ status: Number(status), text: received.slice(received.indexOf("\r\n\r\n") + 4) });
    });
    const lines = Object.entries({ host: `127.0.0.1:${port}`, ...head }).map(([name, value]) => `${name}: ${value}`);
    socket.write(`POST ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${partialBody}`);
  });
}

describe("the webhook endpoint under hostile requests", () => {
  const bed = durableServerPerTest(pglite!, T0);
  let db: Database;
  let clock: FakeClock;
  let server: DurableServer;
  beforeEach(() => ({ db, clock, server } = bed));

  async function nothingStored(): Promise<void> {
    expect(await server.queue.stats(clock.now())).toMatchObject({ pending: 0, running: 0, done: 0, failed: 0 });
  }

  it("answers 413 to a 30 MB delivery whose Content-Length says so, and stores nothing", async () => {
    const body = Buffer.alloc(30 * MB, " ");
    const response = await fetch(`${server.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "big-1", "x-hub-signature-256": await sign(SECRET, body.toString()) },
      body,
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toStrictEqual({ error: "the payload is larger than GitHub's 25 MB limit" });
    await nothingStored();
    expect(await server.metrics.value("hotfix_guard_deliveries_rejected_total", { status: "413" })).toBe(1);
  });

  it("answers 413 to a chunked body (no Content-Length) once it passes 25 MB", async () => {
    // 26 MB: the refused rest is short enough to be read within the lingering close even on a loaded machine.
    const chunk = new Uint8Array(MB).fill(32);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 26) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${server.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "big-2", "x-hub-signature-256": "sha256=" + "0".repeat(64) },
      body: stream,
      duplex: "half",
    } as RequestInit);

    expect(response.status).toBe(413);
    await nothingStored();
  });

  it("refuses a request without X-Hub-Signature-256 with 401 before its body has arrived", async () => {
    // The head promises 1,000 bytes and only 10 arrive: the answer cannot have waited for the body.
    const answer = await stalledRequest(server.url, { "content-type": "application/json", "content-length": "1000", "x-github-event": "push", "x-github-delivery": "unsigned-1" }, "/api/github/webhooks", '{"zen":"x"');

    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toStrictEqual({ error: "missing X-Hub-Signature-256" });
    await nothingStored();
  });

  it("never lets a delivery reach Probot's own webhook middleware, which would skip the store", async () => {
    const github = new GitHubMock().token();
    const event = pullRequestEvent("opened");
    const body = JSON.stringify(event.payload);
    const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "internal-1", "x-hub-signature-256": await sign(SECRET, body) };

    const formerPath = await fetch(`${server.url}/internal/probot-webhooks`, { method: "POST", headers, body });
    const encodedPath = await fetch(`${server.url}${encodeURI(PROBOT_WEBHOOK_PATH)}`, { method: "POST", headers, body });
    const literalPath = await stalledRequest(server.url, { ...headers, "content-length": String(Buffer.byteLength(body)) }, PROBOT_WEBHOOK_PATH, body);

    expect([formerPath.status, encodedPath.status, literalPath.status]).toStrictEqual([404, 404, 400]);
    // Not processed: no handler asked GitHub for anything, and nothing was queued.
    expect(github.requests).toStrictEqual([]);
    await nothingStored();
  });

  it("stores a delivery POSTed to /, the webhook URL Probot's setup page registers, and refuses it unsigned", async () => {
    const event = pullRequestEvent("opened");
    const body = JSON.stringify(event.payload);
    const headers = { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": "root-1" };

    const unsigned = await fetch(`${server.url}/`, { method: "POST", headers, body });
    const signed = await fetch(`${server.url}/`, { method: "POST", headers: { ...headers, "x-hub-signature-256": await sign(SECRET, body) }, body });
    const again = await fetch(`${server.url}/api/github/webhooks`, { method: "POST", headers: { ...headers, "x-hub-signature-256": await sign(SECRET, body) }, body });

    expect(unsigned.status).toBe(401);
    expect(signed.status).toBe(202);
    expect(await signed.json()).toStrictEqual({ id: "root-1", status: "queued" });
    expect(await again.json()).toStrictEqual({ id: "root-1", status: "duplicate" });
    expect(await server.queue.stats(clock.now())).toMatchObject({ pending: 1 });
  });

  it("serves a small page at GET / that says the app is running, with no tenant data", async () => {
    await server.deliver(pullRequestEvent("opened"));

    const response = await fetch(`${server.url}/`);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page).toContain("Hotfix Guard is running");
    expect(page).toContain('href="/healthz"');
    expect(page).toContain('href="/readyz"');
    expect(page).toContain("docs/deploy.md");
    expect(page).not.toMatch(/acme|payments|\d{2,}/);
  });
});

describe("the webhook endpoint's body timeout", () => {
  let http: Server | undefined;
  let db: Database;

  beforeAll(async () => {
    db = await pglite!.open();
  }, 120_000);
  afterAll(() => pglite!.dispose(db));
  afterEach(async () => {
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    http = undefined;
  });

  it("cuts a body that has not arrived within the timeout with 408, and stores nothing", async () => {
    await resetTables(db);
    const queue = new JobQueue(db);
    const metrics = new Metrics();
    const ingress = createIngress({ path: "/api/github/webhooks", secret: SECRET, queue, metrics, now: () => T0, bodyTimeoutMs: 300 });
    http = createServer((req, res) => void ingress(req, res));
    await new Promise<void>((resolve) => http?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const answer = await stalledRequest(url, { "content-type": "application/json", "content-length": "1000", "x-github-event": "push", "x-github-delivery": "slow-1", "x-hub-signature-256": "sha256=" + "0".repeat(64) }, "/api/github/webhooks", '{"zen":"x"');

    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.text)).toStrictEqual({ error: "the body did not arrive within 0.3 s" });
    expect(await queue.stats(T0)).toMatchObject({ pending: 0 });
    expect(await metrics.value("hotfix_guard_deliveries_rejected_total", { status: "408" })).toBe(1);
  });
});

/** A database whose statements storing deliveries fail while `failing` is set; counts them. */
function flakyInserts(db: Database): Database & { failing: boolean; inserts: number } {
  const flaky = {
    failing: false,
    inserts: 0,
    kind: db.kind,
    query: async <Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> => {
      if (sql.trimStart().startsWith("INSERT INTO jobs")) {
        flaky.inserts += 1;
        if (flaky.failing) throw new Error("the disk is full");
      }
      return db.query<Row>(sql, params);
    },
    transaction: db.transaction.bind(db),
    withLock: db.withLock.bind(db),
    reclaimSpace: db.reclaimSpace.bind(db),
    close: db.close.bind(db),
  };
  return flaky;
}

describe.each(BACKENDS)("deliveries stored by group commit on $name", (backend) => {
  let db: Database;
  let http: Server | undefined;

  beforeAll(async () => {
    db = await backend.open();
  }, 120_000);
  afterAll(() => backend.dispose(db), 120_000);
  beforeEach(() => resetTables(db));
  afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

  async function serve(queue: JobQueue): Promise<string> {
    const ingress = createIngress({ path: "/api/github/webhooks", secret: SECRET, queue, metrics: new Metrics(), now: () => T0 });
    http = createServer((req, res) => void ingress(req, res));
    await new Promise<void>((resolve) => http?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/github/webhooks`;
  }

  async function post(url: string, id: string): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(pullRequestEvent("opened").payload);
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": id, "x-hub-signature-256": await sign(SECRET, body) }, body });
    return { status: response.status, body: await response.json() };
  }

  it("acknowledges every one of a burst of concurrent deliveries, each stored once and read back as sent", async () => {
    const flaky = flakyInserts(db);
    const url = await serve(new JobQueue(flaky));
    const ids = Array.from({ length: 16 }, (_, i) => `burst-${i}`);

    const answers = await Promise.all(ids.map((id) => post(url, id)));

    expect(answers).toStrictEqual(ids.map((id) => ({ status: 202, body: { id, status: "queued" } })));
    expect(await new JobQueue(db).stats(T0)).toMatchObject({ pending: 16 });
    expect(flaky.inserts).toBeLessThanOrEqual(16);
    const stored = await new JobQueue(db).findDelivery("burst-3");
    expect(stored?.payload).toStrictEqual({ name: "pull_request", payload: pullRequestEvent("opened").payload });
  });

  it("writes deliveries arriving together with one statement, a delivery id twice in it stored once", async () => {
    const flaky = flakyInserts(db);
    const queue = new JobQueue(flaky);
    const delivery = (id: string) => ({ id, name: "push", payload: { ref: "refs/heads/main" } });

    const stored = await Promise.all(["a", "b", "a", "c", "a"].map((id) => queue.enqueueDelivery(delivery(id), T0)));

    expect(stored).toStrictEqual([true, true, false, true, false]);
    expect(flaky.inserts).toBe(1);
    expect((await queue.stats(T0)).pending).toBe(3);
  });

  it("answers every delivery of a failed batch with 503 and stores none, so GitHub redelivers each", async () => {
    const flaky = flakyInserts(db);
    const url = await serve(new JobQueue(flaky));
    const ids = Array.from({ length: 8 }, (_, i) => `failed-${i}`);
    flaky.failing = true;

    const refused = await Promise.all(ids.map((id) => post(url, id)));

    expect(refused.map((answer) => answer.status)).toStrictEqual(ids.map(() => 503));
    expect((await new JobQueue(db).stats(T0)).pending).toBe(0);

    flaky.failing = false;
    const redelivered = await Promise.all(ids.map((id) => post(url, id)));
    expect(redelivered).toStrictEqual(ids.map((id) => ({ status: 202, body: { id, status: "queued" } })));
    expect((await new JobQueue(db).stats(T0)).pending).toBe(8);
  });
});
