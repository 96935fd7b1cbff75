/**
 * The start-up checks of `npm start`: a real deployment (NODE_ENV=production, or APP_ID set) never
 * starts without its webhook secret or credentials, never with Probot's public default secret, and
 * the refusal says what is missing and how to fix it. The child-process side (the built entry
 * exiting with that message) is in test/deploy/built-entry.test.ts.
 */
import { describe, expect, it } from "vitest";
import { PROBOT_WEBHOOK_PATH } from "../../src/server/ingress.js";
import { checkStartup, probotEnvironment, StartupError } from "../../src/server/startup.js";

const CREDENTIALS = { APP_ID: "1", PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----", WEBHOOK_SECRET: "a-long-random-secret" };

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    checkStartup(env);
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    return (error as Error).message;
  }
  throw new Error("the start was not refused");
}

describe("checkStartup", () => {
  it.each([
    ["NODE_ENV=production", { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: "k" }, "NODE_ENV=production"],
    ["APP_ID set, NODE_ENV unset", { APP_ID: "1", PRIVATE_KEY: "k" }, "APP_ID is set"],
    ["APP_ID set, an empty WEBHOOK_SECRET", { APP_ID: "1", PRIVATE_KEY_PATH: "key.pem", WEBHOOK_SECRET: "  " }, "APP_ID is set"],
  ])("refuses to start without WEBHOOK_SECRET when %s", (_, env, reason) => {
    const message = refusal(env);

    expect(message).toContain("WEBHOOK_SECRET is not set");
    expect(message).toContain(reason);
    expect(message).toContain("the webhook secret, which must equal the one configured there");
  });

  it("names everything missing at once in production", () => {
    expect(refusal({ NODE_ENV: "production" })).toContain("APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET are not set");
  });

  it("refuses Probot's public default secret", () => {
    expect(refusal({ ...CREDENTIALS, WEBHOOK_SECRET: "development" })).toContain('WEBHOOK_SECRET is "development", Probot\'s public default');
  });

  it("starts the setup page only outside production and without APP_ID", () => {
    expect(checkStartup({})).toStrictEqual({ mode: "setup", warnings: [] });
    expect(checkStartup({ NODE_ENV: "development", WEBHOOK_PROXY_URL: "https://smee.io/x" }).warnings).toStrictEqual([expect.stringContaining("WEBHOOK_PROXY_URL is ignored")]);
  });

  it("starts the service with the secret, the webhook path and where metrics go", () => {
    expect(checkStartup({ ...CREDENTIALS })).toStrictEqual({
      mode: "service",
      webhookSecret: "a-long-random-secret",
      webhookPath: "/api/github/webhooks",
      metrics: {},
      warnings: [],
    });
    expect(checkStartup({ ...CREDENTIALS, WEBHOOK_PATH: "/hooks", METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0", METRICS_TOKEN: "t" })).toMatchObject({
      webhookPath: "/hooks",
      metrics: { listener: { port: 9464, host: "0.0.0.0" }, token: "t" },
    });
    expect(checkStartup({ ...CREDENTIALS, METRICS_PORT: "9464" })).toMatchObject({ metrics: { listener: { port: 9464, host: "127.0.0.1" } } });
  });

  it.each([
    [{ METRICS_PORT: "metrics" }, 'METRICS_PORT="metrics" is not a port number'],
    [{ METRICS_PORT: "3000" }, "METRICS_PORT is 3000, the same as the public PORT"],
    [{ PORT: "8080", METRICS_PORT: "8080" }, "METRICS_PORT is 8080, the same as the public PORT"],
    [{ WEBHOOK_PATH: "hooks" }, 'WEBHOOK_PATH="hooks" is not a URL path'],
  ])("refuses a bad setting %o", (setting, message) => {
    expect(refusal({ ...CREDENTIALS, ...setting })).toContain(message);
  });
});

describe("probotEnvironment", () => {
  it("gives Probot's middleware an unreachable path, a secret no one knows, and no smee proxy", () => {
    const env = probotEnvironment({ ...CREDENTIALS, WEBHOOK_PROXY_URL: "https://smee.io/x" });
    const again = probotEnvironment({ ...CREDENTIALS });

    expect(env.WEBHOOK_PATH).toBe(PROBOT_WEBHOOK_PATH);
    expect(env.WEBHOOK_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(env.WEBHOOK_SECRET).not.toBe(again.WEBHOOK_SECRET);
    expect(env.WEBHOOK_PROXY_URL).toBeUndefined();
    expect(env.APP_ID).toBe("1");
  });
});
