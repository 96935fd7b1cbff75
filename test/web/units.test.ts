/**
 * The dashboard's pure parts: its settings from the environment (every problem named, nothing
 * enabled half-way), the session cookie's sealing (tampering, another secret and expiry refused),
 * and the charts (labelled, hostile labels escaped, warnings marked by more than colour).
 */
import { describe, expect, it } from "vitest";
import { barChart, columnChart } from "../../src/web/charts.js";
import { CookieSealer } from "../../src/web/session.js";
import { dashboardConfigFromEnv } from "../../src/web/settings.js";

const SECRET = "0123456789abcdef0123456789abcdef";
const BASE = { GITHUB_CLIENT_ID: "Iv1.x", GITHUB_CLIENT_SECRET: "s", SESSION_SECRET: SECRET };

describe("dashboard settings", () => {
  it.each([
    [{}, ["GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set", "SESSION_SECRET must be set"]],
    [{ ...BASE, SESSION_SECRET: "short" }, ["SESSION_SECRET must be set to a random string of at least 32 characters"]],
    [{ ...BASE, DASHBOARD_PATH: "dash board" }, ["DASHBOARD_PATH must be a path such as /dashboard"]],
    [{ ...BASE, DASHBOARD_PUBLIC_URL: "hotfix.example.com/x" }, ["DASHBOARD_PUBLIC_URL must be the app's address without a path"]],
    [{ ...BASE, DASHBOARD_AUDIT_TEAMS: "acme/auditors, not a team" }, ['DASHBOARD_AUDIT_TEAMS entries must look like org/team-slug; got "not a team"']],
    [{ ...BASE, DASHBOARD_SESSION_HOURS: "0" }, ["DASHBOARD_SESSION_HOURS must be a number of hours between 0 and 168"]],
  ])("stays off and names each problem: %j", (env, problems) => {
    const config = dashboardConfigFromEnv(env);
    expect(config.enabled).toBe(false);
    if (config.enabled) return;
    expect(config.problems).toHaveLength(problems.length);
    problems.forEach((problem, index) => expect(config.problems[index]).toContain(problem));
  });

  it("reads a complete configuration, GitHub Enterprise Server's API root included", () => {
    const config = dashboardConfigFromEnv({ ...BASE, DASHBOARD_PATH: "/hotfixes/", GHE_HOST: "github.acme.internal", DASHBOARD_AUDIT_TEAMS: "acme/auditors", DASHBOARD_PUBLIC_URL: "https://hg.acme.internal/" });
    expect(config).toMatchObject({ enabled: true, path: "/hotfixes", apiUrl: "https://github.acme.internal/api/v3", publicUrl: "https://hg.acme.internal", sessionTtlMs: 8 * 3_600_000, auditTeams: [{ org: "acme", slug: "auditors" }] });
  });
});

describe("the session cookie", () => {
  const sealer = new CookieSealer(SECRET);
  const now = new Date("2026-11-20T12:00:00Z");
  const session = { id: "sid", login: "alice", token: "ghu_secret", expiresAt: now.getTime() + 1_000 };

  it("opens what it sealed, and does not show the token", () => {
    const value = sealer.sealSession(session);
    expect(value).not.toContain("ghu_secret");
    expect(Buffer.from(value, "base64url").toString("latin1")).not.toContain("ghu_secret");
    expect(sealer.openSession(value, now)).toStrictEqual(session);
  });

  it("refuses every one-character change, another secret, and an expired session", () => {
    const value = sealer.sealSession(session);
    for (let index = 0; index < value.length; index += 7) {
      const changed = `${value.slice(0, index)}${value[index] === "A" ? "B" : "A"}${value.slice(index + 1)}`;
      expect(sealer.openSession(changed, now)).toBeUndefined();
    }
    expect(new CookieSealer(`${SECRET}x`).openSession(value, now)).toBeUndefined();
    expect(sealer.openSession(value, new Date(session.expiresAt))).toBeUndefined();
    expect(sealer.openSession("", now)).toBeUndefined();
  });

  it("binds the OAuth state to its signature and expiry", () => {
    const state = sealer.signState({ nonce: "n1", returnTo: "/dashboard", expiresAt: now.getTime() + 1_000 });
    expect(sealer.verifyState(state, now)).toStrictEqual({ nonce: "n1", returnTo: "/dashboard", expiresAt: now.getTime() + 1_000 });
    const [body, signature] = state.split(".");
    const forged = Buffer.from(JSON.stringify({ nonce: "attacker", returnTo: "/dashboard", expiresAt: now.getTime() + 1_000 })).toString("base64url");
    expect(sealer.verifyState(`${forged}.${signature}`, now)).toBeUndefined();
    expect(sealer.verifyState(`${body}.`, now)).toBeUndefined();
    expect(sealer.verifyState(state, new Date(now.getTime() + 1_000))).toBeUndefined();
  });

  it("gives each session its own CSRF token", () => {
    const token = sealer.csrfToken(session);
    expect(sealer.checkCsrf(session, token)).toBe(true);
    expect(sealer.checkCsrf({ ...session, id: "other" }, token)).toBe(false);
    expect(sealer.checkCsrf(session, undefined)).toBe(false);
  });
});

describe("charts", () => {
  it("labels a column chart, escapes its labels and marks warnings with a symbol", () => {
    const svg = columnChart({
      id: "c",
      title: "Per <month>",
      description: "Counts & more",
      columns: [
        { label: "<b>2026-10</b>", value: 1, highlight: false },
        { label: "2026-11", value: 3, highlight: true },
      ],
      threshold: { value: 1, label: "warning above 1" },
    });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="Per &#60;month&#62;" aria-labelledby="c-title c-desc"/);
    expect(svg).toContain('<title id="c-title">Per &#60;month&#62;</title><desc id="c-desc">Counts &#38; more</desc>');
    expect(svg).not.toContain("<b>");
    expect(svg.match(/class="bar warn"/g)).toHaveLength(1);
    expect(svg.match(/class="mark"[^>]*>!<\/text>/g)).toHaveLength(1);
  });

  it("draws a bar per figure and leaves out the bar of a missing figure", () => {
    const svg = barChart({
      id: "b",
      title: "Shares",
      description: "d",
      max: 100,
      bars: [
        { label: "Bypassed", value: 25, display: "25 %", highlight: true, target: 10 },
        { label: "No data", value: null, display: "—", highlight: false },
      ],
    });
    expect(svg.match(/<rect class="bar/g)).toHaveLength(1);
    expect(svg).toContain(">! 25 %</text>");
    expect(svg).toContain('class="target"');
  });
});
