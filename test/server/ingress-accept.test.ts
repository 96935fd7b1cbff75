/**
 * What the webhook endpoint accepts, over real HTTP on a free port with the queue in memory: a
 * delivery signed with the webhook secret over its exact bytes is stored as sent and answered 202;
 * any other signature is a 401 and stores nothing; a signed body that is not JSON at all (a webhook
 * set to send form-encoded payloads) is a 400 that says what to set; and the worker's side is told
 * when deliveries arrive and are answered, so it can keep out of their way.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createIngress, signatureMatches } from "../../src/server/ingress.js";
import { Metrics } from "../../src/server/metrics.js";
import type { JobQueue, StoredDelivery } from "../../src/store/jobs.js";

const SECRET = "It's a Secret to Everybody";
const T0 = new Date("2026-11-23T15:00:00Z");

describe("the webhook endpoint's acceptance", () => {
  let http: Server;
  let url: string;
  let stored: StoredDelivery[];
  let activity: string[];

  beforeEach(async () => {
    stored = [];
    activity = [];
    const queue = { enqueueDelivery: async (delivery: StoredDelivery) => (stored.push(delivery), true) } as unknown as JobQueue;
    const ingress = createIngress({
      path: "/api/github/webhooks",
      secret: SECRET,
      queue,
      metrics: new Metrics(),
      now: () => T0,
      activity: { received: () => activity.push("received"), answered: (isNew) => activity.push(isNew ? "answered: stored" : "answered: not stored") },
    });
    http = createServer((req, res) => void ingress(req, res));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/github/webhooks`;
  });
  afterEach(() => new Promise<void>((resolve) => http.close(() => resolve())));

  async function post(body: string, signature: string, contentType = "application/json"): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, { method: "POST", headers: { "content-type": contentType, "x-github-event": "pull_request", "x-github-delivery": "d-1", "x-hub-signature-256": signature }, body });
    return { status: response.status, body: await response.json() };
  }

  it("stores a delivery signed over its exact text, as sent, and answers 202", async () => {
    const body = '{ "action": "opened", "title": "hotfix: caf\u00e9 \u2615" }';

    expect(await post(body, await sign(SECRET, body))).toStrictEqual({ status: 202, body: { id: "d-1", status: "queued" } });
    expect(stored).toStrictEqual([{ id: "d-1", name: "pull_request", body }]);
    expect(activity).toStrictEqual(["received", "answered: stored"]);
  });

  it.each([
    ["signed with another secret", async (body: string) => sign("another secret", body)],
    ["signed over another body", async (body: string) => sign(SECRET, `${body} `)],
    ["a SHA-1 signature", async () => `sha1=${"a".repeat(40)}`],
    ["a truncated signature", async (body: string) => (await sign(SECRET, body)).slice(0, 40)],
    ["not hexadecimal", async () => `sha256=${"z".repeat(64)}`],
  ])("refuses a delivery %s with 401 and stores nothing", async (_case, signature) => {
    const body = '{"action":"opened"}';

    expect(await post(body, await signature(body))).toStrictEqual({ status: 401, body: { error: "invalid X-Hub-Signature-256" } });
    expect(stored).toStrictEqual([]);
    expect(activity).toStrictEqual(["received", "answered: not stored"]);
  });

  it("answers a signed form-encoded delivery with 400 saying to send JSON, and stores nothing", async () => {
    const body = `payload=${encodeURIComponent('{"action":"opened"}')}`;

    expect(await post(body, await sign(SECRET, body), "application/x-www-form-urlencoded")).toStrictEqual({
      status: 400,
      body: { error: "the payload is not JSON: set the webhook's content type to application/json" },
    });
    expect(stored).toStrictEqual([]);
  });

  it("checks signatures as GitHub computes them", async () => {
    const body = Buffer.from('{"zen":"Design for failure."}');
    const signature = await sign(SECRET, body.toString());

    expect(signatureMatches(SECRET, body, signature)).toBe(true);
    expect(signatureMatches(SECRET, body, signature.toUpperCase().replace("SHA256=", "sha256="))).toBe(true);
    expect(signatureMatches(SECRET, Buffer.from('{"zen":"Design for failure!"}'), signature)).toBe(false);
    expect(signatureMatches("", body, signature)).toBe(false);
  });
});
