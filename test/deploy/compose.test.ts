/**
 * docker-compose.yml as an operator runs it: `docker compose up --scale app=2` is not stopped by a
 * fixed host port, the database has no default password (Compose refuses to start without one,
 * like the app's secrets), and `/metrics` (its own port, as in the Dockerfile) is never published.
 * Checked on the file itself, and with `docker-compose config` when it is installed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const COMPOSE_FILE = `${ROOT}docker-compose.yml`;
const SECRETS = { APP_ID: "1", PRIVATE_KEY: "key", WEBHOOK_SECRET: "secret" };

interface Service {
  readonly ports?: (string | { target: number; published?: number | string })[];
  readonly environment?: Record<string, string>;
  readonly container_name?: string;
}
const compose = parse(readFileSync(COMPOSE_FILE, "utf8")) as { services: Record<string, Service> };
const app = compose.services.app!;

/** `docker-compose config` with only the given environment, from a directory without a `.env`. */
function composeConfig(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync("docker-compose", ["-f", COMPOSE_FILE, "--project-directory", fileURLToPath(new URL(".", import.meta.url)), "config"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
const hasCompose = spawnSync("docker-compose", ["version"]).status === 0;

describe("docker-compose.yml", () => {
  it("publishes the app's port without a fixed host port, so replicas can scale", () => {
    expect(app.container_name).toBeUndefined();
    expect(app.ports).toStrictEqual(["3000"]);
  });

  it("never publishes /metrics, which has its own port inside the project network", () => {
    expect(app.environment).toMatchObject({ METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" });
    expect(JSON.stringify(app.ports)).not.toContain("9464");
    expect(readFileSync(`${ROOT}Dockerfile`, "utf8")).toMatch(/METRICS_PORT=9464/);
    expect(readFileSync(`${ROOT}Dockerfile`, "utf8")).not.toMatch(/^EXPOSE .*9464/m);
  });

  it("has no default database password: POSTGRES_PASSWORD is required wherever it is used", () => {
    const text = readFileSync(COMPOSE_FILE, "utf8");
    const uses = [...text.matchAll(/\$\{POSTGRES_PASSWORD([^}]*)\}/g)].map(([, rest]) => rest);

    expect(uses.length).toBe(2);
    for (const rest of uses) expect(rest).toMatch(/^:\?set POSTGRES_PASSWORD/);
  });

  it.skipIf(!hasCompose)("is refused by docker-compose without POSTGRES_PASSWORD and accepted with it", () => {
    const without = composeConfig(SECRETS);
    const complete = composeConfig({ ...SECRETS, POSTGRES_PASSWORD: "0123abcd" });

    expect(without.status).not.toBe(0);
    expect(without.output).toContain("set POSTGRES_PASSWORD in .env or the environment");
    expect(complete.status, complete.output).toBe(0);
    const config = parse(complete.output) as { services: Record<string, Service> };
    expect(config.services.app?.ports).toStrictEqual([{ target: 3000 }]);
    expect(config.services.app?.environment?.DATABASE_URL).toBe("postgres://hotfix_guard:0123abcd@postgres:5432/hotfix_guard");
  });
});
