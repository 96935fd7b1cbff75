/**
 * The start-up checks of `npm start`: what the environment asks for, and whether it is safe to
 * start. A production start (`NODE_ENV=production`, or any start with `APP_ID` set) without the
 * app's credentials or webhook secret is refused with a message that names what is missing and how
 * to fix it, rather than falling back to Probot's public default secret "development", which would
 * let anyone sign deliveries. Bad values (a port that is not a number) are refused the same way.
 */
import { randomBytes } from "node:crypto";
import { PROBOT_WEBHOOK_PATH } from "./ingress.js";
import type { MetricsListener } from "./metrics.js";

/** A start refused because of the environment; the message says what to fix. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** Where `/metrics` is served. */
export interface MetricsSettings {
  /** A listener of its own (`METRICS_PORT`, `METRICS_HOST`); absent: the public server's `/metrics`. */
  readonly listener?: MetricsListener;
  /** `METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <token>`. */
  readonly token?: string;
}

/** What `npm start` runs. */
export type StartupPlan =
  | {
      /** No credentials outside production: Probot's page for registering the app. */
      readonly mode: "setup";
      /** Things ignored or worth knowing, to be logged. */
      readonly warnings: readonly string[];
    }
  | {
      /** The service: store-first ingress, queue worker, probes and metrics. */
      readonly mode: "service";
      /** The secret deliveries must be signed with (`WEBHOOK_SECRET`). */
      readonly webhookSecret: string;
      /** The public webhook path (`WEBHOOK_PATH`, default `/api/github/webhooks`). */
      readonly webhookPath: string;
      readonly metrics: MetricsSettings;
      /** Things ignored or worth knowing, to be logged. */
      readonly warnings: readonly string[];
    };

/** The public default secret of Probot, which must never sign production deliveries. */
const PUBLIC_DEFAULT_SECRET = "development";

const PROXY_IGNORED =
  "WEBHOOK_PROXY_URL is ignored: smee-client is not installed, and deliveries must reach the store-first webhook path. " +
  "In development, forward GitHub's deliveries with a tunnel to this server's webhook path (docs/deploy.md, 'Development').";

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

function port(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (!present(value)) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new StartupError(`${name}=${JSON.stringify(value)} is not a port number: set it to a number from 1 to 65535, or unset it.`);
  return number;
}

function metricsSettings(env: NodeJS.ProcessEnv): MetricsSettings {
  const metricsPort = port(env, "METRICS_PORT");
  const publicPort = port(env, "PORT") ?? 3000;
  if (metricsPort === publicPort) {
    throw new StartupError(`METRICS_PORT is ${metricsPort}, the same as the public PORT: give metrics a port of their own (e.g. METRICS_PORT=9464), or unset METRICS_PORT to serve /metrics on the public port.`);
  }
  return {
    ...(metricsPort === undefined ? {} : { listener: { port: metricsPort, host: present(env.METRICS_HOST) ? env.METRICS_HOST : "127.0.0.1" } }),
    ...(present(env.METRICS_TOKEN) ? { token: env.METRICS_TOKEN } : {}),
  };
}

/**
 * Decides what to start from the environment, or throws a {@link StartupError} saying what is
 * missing or wrong and how to fix it.
 */
export function checkStartup(env: NodeJS.ProcessEnv): StartupPlan {
  const warnings = present(env.WEBHOOK_PROXY_URL) ? [PROXY_IGNORED] : [];
  const production = env.NODE_ENV === "production" || present(env.APP_ID);
  if (!production) return { mode: "setup", warnings };

  const reason = env.NODE_ENV === "production" ? "NODE_ENV=production" : "APP_ID is set";
  const missing = [
    ...(present(env.APP_ID) ? [] : ["APP_ID"]),
    ...(present(env.PRIVATE_KEY) || present(env.PRIVATE_KEY_PATH) ? [] : ["PRIVATE_KEY (or PRIVATE_KEY_PATH)"]),
    ...(present(env.WEBHOOK_SECRET) ? [] : ["WEBHOOK_SECRET"]),
  ];
  if (missing.length > 0) {
    throw new StartupError(
      `Refusing to start: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set, and ${reason} means this is a real deployment. ` +
        "Set them in the environment or in .env to the GitHub App's values (the app's settings page on GitHub: App ID, a generated private key, " +
        "and the webhook secret, which must equal the one configured there). Without a webhook secret anyone could sign deliveries. " +
        "To register a new app with Probot's setup page instead, start without APP_ID and without NODE_ENV=production.",
    );
  }
  if (env.WEBHOOK_SECRET === PUBLIC_DEFAULT_SECRET) {
    throw new StartupError(
      `Refusing to start: WEBHOOK_SECRET is "${PUBLIC_DEFAULT_SECRET}", Probot's public default, with which anyone can sign deliveries. ` +
        "Generate a random secret (e.g. `openssl rand -hex 32`), set it as the webhook secret in the app's settings on GitHub and in WEBHOOK_SECRET.",
    );
  }
  const webhookPath = present(env.WEBHOOK_PATH) ? env.WEBHOOK_PATH : "/api/github/webhooks";
  if (!webhookPath.startsWith("/") || webhookPath.includes("?") || webhookPath.includes(" ")) {
    throw new StartupError(`WEBHOOK_PATH=${JSON.stringify(webhookPath)} is not a URL path: set it to a path such as /api/github/webhooks, or unset it.`);
  }
  return { mode: "service", webhookSecret: env.WEBHOOK_SECRET as string, webhookPath, metrics: metricsSettings(env), warnings };
}

/**
 * The environment Probot's `run` gets in service mode: its own webhook middleware on
 * {@link PROBOT_WEBHOOK_PATH}, which no request reaches, verifying with a random secret known to
 * no one, and no smee.io proxy. Deliveries reach the handlers only through the store-first ingress.
 */
export function probotEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, WEBHOOK_PATH: PROBOT_WEBHOOK_PATH, WEBHOOK_SECRET: randomBytes(32).toString("hex"), WEBHOOK_PROXY_URL: undefined };
}
