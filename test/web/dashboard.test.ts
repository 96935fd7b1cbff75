/**
 * The dashboard over HTTP, signed in through the fake GitHub's OAuth redirects: nothing answers
 * without sign-in, the sign-in is bound to its state, tampered and expired cookies are refused,
 * sign-out needs the CSRF token, hostile text is escaped, and users see only what they may.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, DORA, FakeGitHub } from "./fake-github.js";
import { AUTHORISER, BYPASS_REASON, FakeLogReader, HOSTILE_TITLE, NOW, SECRET_TITLE } from "./fake-log.js";
import { get, signIn, startDashboard, type RunningDashboard } from "./harness.js";

const github = new FakeGitHub();
let dashboard: RunningDashboard | undefined;
let clock = NOW;

beforeAll(async () => {
  await github.start();
});

afterAll(async () => {
  await github.stop();
});

afterEach(async () => {
  await dashboard?.stop();
  dashboard = undefined;
  clock = NOW;
});

async function start(env: Record<string, string> = {}, reader = new FakeLogReader()): Promise<RunningDashboard> {
  dashboard = await startDashboard({ github, reader, env, now: () => clock });
  return dashboard;
}

/** Ids of a checkout hotfix with a justified bypass, and of one whose title is hostile, from the sample. */
function sample(reader: FakeLogReader) {
  const bypass = reader.records.find((rec) => rec.repo === "acme/checkout" && rec.audit?.verdict === "justified-bypass");
  const hostile = reader.records.find((rec) => rec.title === HOSTILE_TITLE);
  const adminBypass = reader.records.find((rec) => rec.repo === "acme/payments" && rec.audit?.verdict === "justified-bypass");
  const secret = reader.records.find((rec) => rec.repo === "acme/vault");
  if (!bypass || !hostile || !adminBypass || !secret) throw new Error("sample records changed");
  return { bypass, hostile, adminBypass, secret };
}

describe("without an OAuth client", () => {
  it("says how to enable the dashboard on every path under it and serves no data", async () => {
    const d = await start({ GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "" });
    for (const path of ["", "/metrics", "/export/log.json", "/auth/sign-in"]) {
      const page = await get(`${d.url}${path}`);
      expect(page.status).toBe(503);
      expect(page.text).toContain("The dashboard is not enabled");
      expect(page.text).toContain("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set");
      expect(page.text).not.toContain("HOTFIX-");
    }
    expect((await get(`${d.origin}/elsewhere`)).text).toBe("not the dashboard");
  });

  it("names a session secret that is too short", async () => {
    const d = await start({ SESSION_SECRET: "short" });
    const page = await get(d.url);
    expect(page.status).toBe(503);
    expect(page.text).toContain("SESSION_SECRET must be set to a random string of at least 32 characters");
  });
});

describe("signed out", () => {
  it("answers no page or export, only the sign-in page", async () => {
    const d = await start();
    const reader = d.reader as FakeLogReader;
    const { bypass } = sample(reader);
    for (const path of ["", "/metrics", "/export", `/hotfix/acme/checkout/${bypass.id}`]) {
      const page = await get(`${d.url}${path}`);
      expect(page.status).toBe(401);
      expect(page.text).toContain("Sign in with GitHub");
      expect(page.text).not.toContain("<table");
      expect(page.text).not.toContain(bypass.title);
    }
    for (const format of ["md", "csv", "json"]) {
      const file = await get(`${d.url}/export/log.${format}`);
      expect(file.status).toBe(401);
      expect(file.text).not.toContain("HOTFIX-");
    }
    expect(reader.askedFor).toStrictEqual([]);
  });

  it("sends the user to GitHub with a state bound to a signed, HttpOnly, SameSite=Lax cookie", async () => {
    const d = await start();
    const response = await fetch(`${d.url}/auth/sign-in?return=/dashboard/metrics`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(location.searchParams.get("client_id")).toBe("Iv1.testclient");
    expect(location.searchParams.get("redirect_uri")).toBe(`${d.url}/auth/callback`);
    expect(location.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const cookie = response.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^hotfix_guard_oauth_state=/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/dashboard/auth");
  });
});

describe("signing in", () => {
  it("signs in, returns where the user was going, and sets a signed session cookie", async () => {
    const d = await start();
    const { cookie, setCookie } = await signIn(d, github, ALICE);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/dashboard");
    expect(setCookie).toContain("Max-Age=28800");
    expect(setCookie).not.toContain("Secure");
    expect(setCookie).not.toContain("ghu_");
    const page = await get(d.url, cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Signed in as <strong>alice</strong>");
  });

  it("marks cookies Secure when the dashboard is served over https", async () => {
    const d = await start({ DASHBOARD_PUBLIC_URL: "https://hotfix-guard.example.com" });
    const response = await fetch(`${d.url}/auth/sign-in`, { redirect: "manual" });
    expect(response.headers.getSetCookie()[0]).toContain("Secure");
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("redirect_uri")).toBe("https://hotfix-guard.example.com/dashboard/auth/callback");
  });

  it("refuses a callback whose state does not match the cookie (CSRF on sign-in), without exchanging the code", async () => {
    const d = await start();
    github.signInAs = BOB;
    const startResponse = await fetch(`${d.url}/auth/sign-in`, { redirect: "manual" });
    const stateCookie = (startResponse.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const authorize = await fetch(startResponse.headers.get("location") ?? "", { redirect: "manual" });
    const callback = new URL(authorize.headers.get("location") ?? "");
    callback.searchParams.set("state", "attacker-chosen-state");
    const exchangesBefore = github.requests.filter((r) => r.endsWith("/login/oauth/access_token")).length;
    for (const cookie of [stateCookie, ""]) {
      const page = await get(callback.href, cookie);
      expect(page.status).toBe(400);
      expect(page.text).toContain("The sign-in could not be verified");
      expect(page.headers.getSetCookie().some((value) => value.startsWith("hotfix_guard_session=") && !value.startsWith("hotfix_guard_session=;"))).toBe(false);
    }
    expect(github.requests.filter((r) => r.endsWith("/login/oauth/access_token")).length).toBe(exchangesBefore);
  });

  it("refuses a code GitHub does not accept", async () => {
    const d = await start();
    const startResponse = await fetch(`${d.url}/auth/sign-in`, { redirect: "manual" });
    const stateCookie = (startResponse.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const state = new URL(startResponse.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const page = await get(`${d.url}/auth/callback?code=forged&state=${state}`, stateCookie);
    expect(page.status).toBe(400);
    expect(page.text).toContain("GitHub did not accept the sign-in");
  });

  it("never redirects to another site after sign-in", async () => {
    const d = await start();
    github.signInAs = ALICE;
    const startResponse = await fetch(`${d.url}/auth/sign-in?return=${encodeURIComponent("//evil.example/x")}`, { redirect: "manual" });
    const stateCookie = (startResponse.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
    const authorize = await fetch(startResponse.headers.get("location") ?? "", { redirect: "manual" });
    const callback = await fetch(authorize.headers.get("location") ?? "", { redirect: "manual", headers: { cookie: stateCookie } });
    expect(callback.headers.get("location")).toBe("/dashboard");
  });
});

describe("sessions", () => {
  it("refuses a tampered session cookie", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    const [name, value = ""] = cookie.split("=");
    const flipped = `${value.slice(0, 20)}${value[20] === "A" ? "B" : "A"}${value.slice(21)}`;
    for (const forged of [`${name}=${flipped}`, `${name}=${value.slice(0, -2)}`, `${name}=x${value}`]) {
      const page = await get(d.url, forged);
      expect(page.status).toBe(401);
      expect(page.text).not.toContain("HOTFIX-");
    }
  });

  it("refuses a session cookie sealed with another secret", async () => {
    const other = await start({ SESSION_SECRET: "another-secret-another-secret-0000" });
    const { cookie } = await signIn(other, github, ALICE);
    await other.stop();
    const d = await startDashboard({ github, now: () => clock });
    dashboard = d;
    expect((await get(d.url, cookie)).status).toBe(401);
  });

  it("refuses a session after it expires (8 hours by default)", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    clock = new Date(NOW.getTime() + 8 * 3_600_000 - 1_000);
    expect((await get(d.url, cookie)).status).toBe(200);
    clock = new Date(NOW.getTime() + 8 * 3_600_000 + 1_000);
    const page = await get(d.url, cookie);
    expect(page.status).toBe(401);
    expect(page.text).toContain("Sign in with GitHub");
  });

  it("signs out only with the session's CSRF token, then revokes the token", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    const page = await get(d.url, cookie);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
    expect(csrf).not.toBe("");
    const post = (body: string) =>
      fetch(`${d.url}/auth/sign-out`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body });
    for (const body of ["", "csrf=wrong", `csrf=${csrf}x`]) {
      const refused = await post(body);
      expect(refused.status).toBe(403);
      expect(refused.headers.getSetCookie()).toStrictEqual([]);
    }
    expect((await get(d.url, cookie)).status).toBe(200);
    expect(github.revoked).toStrictEqual([]);
    const getSignOut = await get(`${d.url}/auth/sign-out`, cookie);
    expect(getSignOut.status).toBe(405);
    const done = await post(`csrf=${encodeURIComponent(csrf)}`);
    expect(done.status).toBe(303);
    expect(done.headers.getSetCookie()[0]).toMatch(/^hotfix_guard_session=;.*Max-Age=0/);
    expect(github.revoked).toHaveLength(1);
    // The old cookie, replayed: its token is revoked at GitHub, so nothing is shown.
    const replay = await get(d.url, cookie);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain("Your GitHub sign-in has ended");
  });
});

describe("what a user sees", () => {
  it("escapes a hostile pull request title in the log and on the hotfix page", async () => {
    const d = await start();
    const { hostile } = sample(d.reader as FakeLogReader);
    const { cookie } = await signIn(d, github, BOB);
    for (const url of [`${d.url}?repo=acme/checkout`, `${d.url}/hotfix/acme/checkout/${hostile.id}`]) {
      const page = await get(url, cookie);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain("<script>");
      expect(page.text).not.toContain("<img src=x");
      expect(page.text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; Fix &quot;refund&quot; &amp; &#39;retry&#39;");
      expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'; style-src 'sha256-[^']+'/);
    }
  });

  it("shows nothing of a repository the user cannot read, and never asks the log about it", async () => {
    const d = await start();
    const reader = d.reader as FakeLogReader;
    const { secret } = sample(reader);
    const { cookie } = await signIn(d, github, ALICE);
    const log = await get(d.url, cookie);
    expect(log.text).toContain("48 hotfixes match");
    expect(log.text).not.toContain("acme/vault");
    const filtered = await get(`${d.url}?repo=acme/vault`, cookie);
    expect(filtered.text).toContain("No repository named acme/vault among those you can read.");
    expect(filtered.text).not.toContain(SECRET_TITLE);
    for (const path of [`/hotfix/acme/vault/${secret.id}`, `/hotfix/ACME/Vault/${secret.id}`, `/hotfix/acme%2Fvault/x/${secret.id}`, `/hotfix/acme/vault/%E0%A4%A`]) {
      const direct = await get(`${d.url}${path}`, cookie);
      expect(direct.status).toBe(404);
      expect(direct.text).not.toContain(SECRET_TITLE);
    }
    for (const path of ["/metrics?repo=acme/vault", "/export/log.json?repo=acme/vault&months=12", "/export/log.csv", "/export/log.md"]) {
      const page = await get(`${d.url}${path}`, cookie);
      expect(page.text).not.toContain(SECRET_TITLE);
      expect(page.text).not.toContain("acme/vault\",");
    }
    expect(reader.askedFor.flat().some((repo) => repo.toLowerCase() === "acme/vault")).toBe(false);
  });

  it("hides who bypassed and the justification from a non-admin, everywhere", async () => {
    const d = await start();
    const { bypass } = sample(d.reader as FakeLogReader);
    const { cookie } = await signIn(d, github, BOB);
    const page = await get(`${d.url}/hotfix/acme/checkout/${bypass.id}`, cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Justified bypass");
    expect(page.text).toContain("shown to the repository's administrators and the audit team");
    expect(page.text).not.toContain(BYPASS_REASON);
    expect(page.text).not.toContain(AUTHORISER);
    for (const format of ["md", "csv", "json"]) {
      const file = await get(`${d.url}/export/log.${format}?months=12`, cookie);
      expect(file.status).toBe(200);
      expect(file.text).toContain(bypass.id);
      expect(file.text).not.toContain(BYPASS_REASON);
      expect(file.text).not.toContain(AUTHORISER);
    }
  });

  it("shows audit details to a repository admin and to the audit team", async () => {
    const d = await start();
    const { adminBypass, bypass } = sample(d.reader as FakeLogReader);
    const alice = await signIn(d, github, ALICE);
    const own = await get(`${d.url}/hotfix/acme/payments/${adminBypass.id}`, alice.cookie);
    expect(own.text).toContain(`<title>${adminBypass.id} ${adminBypass.title} · Hotfix Guard</title>`);
    expect(own.text).toContain(`<h1>[${adminBypass.id}] ${adminBypass.title}</h1>`);
    expect(own.text).toContain(BYPASS_REASON);
    expect(own.text).toContain(`${AUTHORISER} (authorised the bypass)`);
    const notAdmin = await get(`${d.url}/hotfix/acme/checkout/${bypass.id}`, alice.cookie);
    expect(notAdmin.text).not.toContain(BYPASS_REASON);
    const aliceExport = await get(`${d.url}/export/log.json?months=12`, alice.cookie);
    const hotfixes = (JSON.parse(aliceExport.text) as { hotfixes: { repo: string; authoriser: string | null }[] }).hotfixes;
    expect(new Set(hotfixes.filter((h) => h.authoriser).map((h) => h.repo))).toStrictEqual(new Set(["acme/payments"]));
    const dora = await signIn(d, github, DORA);
    const auditor = await get(`${d.url}/hotfix/acme/checkout/${bypass.id}`, dora.cookie);
    expect(auditor.text).toContain(BYPASS_REASON);
  });

  it("says so when the audit team cannot be checked, and shows no audit details then", async () => {
    const d = await start();
    const { bypass } = sample(d.reader as FakeLogReader);
    github.teamsForbidden = true;
    try {
      const dora = await signIn(d, github, DORA);
      const page = await get(`${d.url}/hotfix/acme/checkout/${bypass.id}`, dora.cookie);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(BYPASS_REASON);
      expect(page.text).toContain("the GitHub App needs the organisation permission <strong>Members: read</strong>");
    } finally {
      github.teamsForbidden = false;
    }
  });

  it("filters the log by severity, verdict and open follow-ups, newest first, in pages", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    const first = await get(d.url, cookie);
    expect(first.text).toContain("Page 1 of 2");
    expect(first.text).toContain('rel="next"');
    const dates = [...first.text.matchAll(/<time datetime="([^"]+)">/g)].map((match) => match[1] ?? "");
    expect(dates).toStrictEqual([...dates].sort().reverse());
    const second = await get(`${d.url}?page=2`, cookie);
    expect(second.text).toContain("showing 26 to 48");
    const verdict = await get(`${d.url}?verdict=unjustified-bypass&severity=high`, cookie);
    const badges = [...verdict.text.matchAll(/<span class="badge ([a-z-]+)">/g)].map((match) => match[1]);
    expect(badges.length).toBeGreaterThan(0);
    expect(new Set(badges)).toStrictEqual(new Set(["unjustified-bypass"]));
    const open = await get(`${d.url}?followups=open&repo=acme/payments`, cookie);
    expect(open.text).toMatch(/\d+ hotfix(es)? match/);
    expect(open.text).not.toContain("<td data-label=\"Repository\">acme/checkout</td>");
  });

  it("labels the metrics charts and gives each a data table", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    const page = await get(`${d.url}/metrics?months=12`, cookie);
    expect(page.status).toBe(200);
    const charts = [...page.text.matchAll(/<svg[^>]*role="img"[^>]*aria-label="([^"]+)"[^>]*>\s*<title id="[^"]+">([^<]+)<\/title>/g)];
    expect(charts.map((match) => match[1])).toStrictEqual(["Hotfixes per month", "Shares of hotfixes, in percent", "Resolution time and merge-back lag, in hours"]);
    expect(page.text).toContain("<caption>Hotfixes per month (the chart&#39;s data)</caption>");
    expect(page.text).toContain('<th scope="row">');
    expect(page.text).toContain("Frequent hotfixes");
    expect(page.text).not.toMatch(/<script|https?:\/\/(?!github\.com|www\.w3\.org\/2000\/svg")[a-z]/i);
  });

  it("downloads the Markdown, CSV and JSON exports as attachments", async () => {
    const d = await start();
    const { cookie } = await signIn(d, github, ALICE);
    const md = await get(`${d.url}/export/log.md?repo=acme/payments`, cookie);
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(md.headers.get("content-disposition")).toBe('attachment; filename="hotfix-log-2026-11-20.md"');
    expect(md.text).toContain("### 🚨 [HOTFIX-030]");
    const csv = await get(`${d.url}/export/log.csv`, cookie);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const json = await get(`${d.url}/export/log.json`, cookie);
    expect((JSON.parse(json.text) as { hotfixes: unknown[] }).hotfixes.length).toBeGreaterThan(0);
  });
});
