/**
 * The HTTP server the way `probot run` starts it: the `/healthz` route the Docker healthcheck
 * calls, and webhooks refused without a valid signature.
 */
import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Probot, Server } from "probot";
import { createApp } from "../../src/index.js";
import { freePort, SILENT_LOG } from "../helpers/app.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
let server: Server | undefined;

async function startServer(): Promise<string> {
  server = new Server({ Probot: Probot.defaults({ appId: 1, privateKey, secret: "s3cret", logLevel: "fatal" }), port: await freePort(), host: "127.0.0.1", log: SILENT_LOG });
  await server.load(createApp());
  const http = await server.start();
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("the server", () => {
  it("answers /healthz with 200", async () => {
    const base = await startServer();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ status: "ok" });
  });

  it("refuses a webhook whose signature does not match the secret", async () => {
    const base = await startServer();
    const response = await fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "d-1", "x-hub-signature-256": "sha256=" + "0".repeat(64) },
      body: JSON.stringify({ zen: "hi", hook_id: 1 }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});
