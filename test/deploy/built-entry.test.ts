/**
 * The compiled app started the way the Docker image starts it: `node lib/main.js` (the
 * Dockerfile's CMD, and what `npm start` runs once lib/ is built) from a directory laid out like
 * the image's /app — package.json, app.yml, node_modules and a fresh build of src/ in lib/ — with
 * the image's environment. What a deployment notices: the health and readiness probes answer, a
 * signed delivery is accepted and an unsigned one refused, Probot's own webhook middleware cannot
 * be reached, `/metrics` is served on its own port and not on the public one, the root page says
 * the app is running, SIGTERM stops it cleanly, a production start without a webhook secret is
 * refused with a message saying what to set, and without credentials it offers Probot's page to
 * register the app from app.yml, with no smee.io channel.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomUUID, generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/app.js";
import { pullRequestEvent } from "../helpers/fixtures.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "built-entry-secret";
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** One `node lib/main.js` process. */
interface Started {
  readonly url: string;
  /** Everything it printed, for the failure message. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

let appDir: string;
let running: Started | undefined;
let github: Server | undefined;

beforeAll(() => {
  appDir = mkdtempSync(join(tmpdir(), "hotfix-guard-app-"));
  // The image's build stage: tsc -p tsconfig.build.json, here into the temporary /app's lib/ so a
  // stale lib/ in the working tree can neither help nor break the test.
  const build = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(appDir, "lib")], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  for (const file of ["package.json", "app.yml"]) copyFileSync(join(ROOT, file), join(appDir, file));
  symlinkSync(join(ROOT, "node_modules"), join(appDir, "node_modules"), "dir");
}, 120_000);

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await new Promise((resolve) => (github ? github.close(resolve) : resolve(undefined)));
  github = undefined;
});

/** Requests the GitHub stand-in received, as `METHOD /path`. */
let githubRequests: string[] = [];

/**
 * A stand-in for GitHub's API that refuses every request at once, as GitHub refuses the test's
 * made-up app. The app's start-up delivery recovery then fails fast: an unreachable GitHub would
 * have Octokit retry for about 14 s, and SIGTERM waits for that job.
 */
async function refusingGitHub(): Promise<string> {
  githubRequests = [];
  github = createServer((req, res) => {
    githubRequests.push(`${req.method} ${req.url}`);
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ message: "Bad credentials" }));
  });
  await new Promise<void>((resolve) => github?.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(github.address() as AddressInfo).port}`;
}

afterAll(() => {
  rmSync(appDir, { recursive: true, force: true });
});

/** Starts `node lib/main.js` in the app directory with only the given environment. */
function spawnBuiltApp(env: Record<string, string>, port: number) {
  return spawn(process.execPath, ["lib/main.js"], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs `node lib/main.js` with the given environment until it exits by itself. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawnBuiltApp(env, await freePort());
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output };
}

/** Starts `node lib/main.js` in the app directory with only the given environment, and waits until it serves. */
async function startBuiltApp(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const child = spawnBuiltApp(env, port);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const url = `http://127.0.0.1:${port}`;
  running = {
    url,
    output: () => output,
    exited,
    stop: async () => {
      if (!done) child.kill("SIGTERM");
      return exited;
    },
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (done) throw new Error(`node lib/main.js exited before serving:\n${output}`);
    const response = await fetch(`${url}/healthz`).catch(() => null);
    if (response) return running;
  }
  throw new Error(`node lib/main.js did not serve within 60 s:\n${output}`);
}

/** POSTs a ping delivery to the public webhook path, signed unless told otherwise. */
async function ping(url: string, signed: boolean): Promise<Response> {
  const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
  const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": randomUUID() };
  if (signed) headers["x-hub-signature-256"] = await sign(SECRET, body);
  return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
}

describe("node lib/main.js, as the Docker image runs it", () => {
  it("with credentials: serves the probes, accepts only signed deliveries, and exits cleanly on SIGTERM", async () => {
    const metricsPort = await freePort();
    const app = await startBuiltApp({
      // The image's ENV (HOST and METRICS_HOST are loopback here rather than 0.0.0.0; DATA_DIR a
      // fresh directory; METRICS_PORT a free port rather than 9464).
      NODE_ENV: "production",
      DATA_DIR: join(appDir, "data"),
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: "127.0.0.1",
      // The credentials a deployment passes at run time.
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      // GitHub Enterprise settings, so that the test never calls api.github.com.
      GHE_HOST: await refusingGitHub(),
      GHE_PROTOCOL: "http",
    });

    const health = await fetch(`${app.url}/healthz`);
    expect(health.status, app.output()).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status, app.output()).toBe(200);
    expect(await ready.json()).toStrictEqual({ status: "ready", database: "pglite" });

    const accepted = await ping(app.url, true);
    expect(accepted.status, app.output()).toBe(202);
    expect(await accepted.json()).toMatchObject({ status: "queued" });
    const refused = await ping(app.url, false);
    expect(refused.status).toBe(401);

    // Probot's own middleware, which would run the handlers without the store, is out of reach:
    // a signed pull request delivery to its former path is not processed (no installation token
    // is ever asked for).
    const event = pullRequestEvent("opened");
    const body = JSON.stringify(event.payload);
    const internal = await fetch(`${app.url}/internal/probot-webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": randomUUID(), "x-hub-signature-256": await sign(SECRET, body) },
      body,
    });
    expect(internal.status, app.output()).toBe(404);
    expect(githubRequests.filter((request) => request.includes("access_tokens"))).toStrictEqual([]);

    // Metrics on their own port only.
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/hotfix_guard_deliveries_received_total\{event="ping",result="queued"\} 1/);

    const home = await fetch(`${app.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Hotfix Guard is running");

    expect(await app.stop(), app.output()).toBe(0);
  }, 90_000);

  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: privateKey }],
    ["APP_ID set", { APP_ID: "1", PRIVATE_KEY: privateKey }],
  ])("refuses to start without WEBHOOK_SECRET when %s, saying what to set", async (_, env) => {
    const { code, output } = await runToExit({ DATA_DIR: join(appDir, "data-refused"), ...env });

    expect(code, output).toBe(1);
    expect(output).toContain("Refusing to start: WEBHOOK_SECRET is not set");
    expect(output).toContain("Set them in the environment or in .env");
  }, 60_000);

  it("without credentials outside production: redirects to Probot's page for registering the app from app.yml, with no smee.io channel", async () => {
    const app = await startBuiltApp({});

    const home = await fetch(`${app.url}/`, { redirect: "manual" });
    expect(home.status, app.output()).toBe(302);
    expect(home.headers.get("location")).toBe("/probot");
    const setup = await fetch(`${app.url}/probot`);
    expect(setup.status).toBe(200);
    const page = await setup.text();
    expect(page).toContain("Hotfix Guard");
    // The manifest registers the webhook at the address the page was opened at, plus "/": the
    // path where the service accepts deliveries (into the store) besides WEBHOOK_PATH.
    expect(page).toContain(`"hook_attributes":{"url":"${app.url}/"}`);
    expect(app.output()).not.toMatch(/smee/i);
  }, 60_000);
});
