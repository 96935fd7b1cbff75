/**
 * The dashboard over the real hotfix log store (embedded PGlite), filled by the recorder the
 * handlers use, event by event: the hotfix appears in the log, its page shows the timeline from
 * branch to post-incident review, the metrics and exports answer, and a repository the user
 * cannot read stays invisible.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HotfixRecorder } from "../../src/log/recorder.js";
import { HotfixLogStore } from "../../src/log/store.js";
import type { Database } from "../../src/store/database.js";
import { BACKENDS } from "../helpers/databases.js";
import { hotfixPr, lifeOf, POLICY, REPO } from "../log/timeline.js";
import { ALICE, FakeGitHub } from "./fake-github.js";
import { get, signIn, startDashboard, type RunningDashboard } from "./harness.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const SECRET = "Vault root token rotation";
const backend = BACKENDS[0];

describe("the dashboard over the hotfix log store", () => {
  const github = new FakeGitHub();
  let db: Database;
  let dashboard: RunningDashboard;

  beforeAll(async () => {
    if (!backend) throw new Error("no database backend");
    db = await backend.open();
    const store = new HotfixLogStore(db, () => NOW);
    const recorder = new HotfixRecorder(store, () => NOW, { warn: () => undefined });
    for (const step of [...lifeOf(41), ...lifeOf(42)]) await step(recorder);
    await recorder.pullRequest("acme/vault", hotfixPr(7, "2026-11-23T14:20:00Z", { title: SECRET, html_url: "https://github.com/acme/vault/pull/7" }), POLICY);
    await github.start();
    dashboard = await startDashboard({ github, reader: store, now: () => NOW });
  }, 120_000);

  afterAll(async () => {
    await dashboard?.stop();
    await github.stop();
    if (backend && db) await backend.dispose(db);
  });

  it("lists the recorded hotfixes and shows one's timeline, metrics and exports, nothing of an unreadable repository", async () => {
    const { cookie } = await signIn(dashboard, github, ALICE);
    const log = await get(dashboard.url, cookie);
    expect(log.status).toBe(200);
    expect(log.text).toContain("2 hotfixes match");
    expect(log.text).toContain(`href="/dashboard/hotfix/${REPO}/HOTFIX-001"`);
    expect(log.text).not.toContain(SECRET);

    const hotfix = await get(`${dashboard.url}/hotfix/${REPO}/HOTFIX-001`, cookie);
    expect(hotfix.status).toBe(200);
    for (const event of ["Pull request opened", "Review requested", "Review", "Merged", "Deployed", "Merged back", "Post-incident review opened", "Post-incident review closed"]) {
      expect(hotfix.text).toContain(`<td data-label="Event">${event}</td>`);
    }
    expect(hotfix.text).toContain("Compliant");

    const vault = await get(`${dashboard.url}/hotfix/acme/vault/HOTFIX-001`, cookie);
    expect(vault.status).toBe(404);
    expect(vault.text).not.toContain(SECRET);

    const metrics = await get(`${dashboard.url}/metrics`, cookie);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("Figures for all 2 repositories you can read");
    expect(metrics.text).toMatch(/<th scope="row">Merged<\/th><td class="num">2<\/td>/);

    const markdown = await get(`${dashboard.url}/export/log.md`, cookie);
    expect(markdown.status).toBe(200);
    expect(markdown.text).toContain("# Hotfix Log: Emergency Changes Record");
    expect(markdown.text).toContain("HOTFIX-002");
    expect(markdown.text).not.toContain(SECRET);
  });

  it("shows a user who can read none of the App's repositories an empty log and empty metrics", async () => {
    const nobody = { login: "nobody", repos: [] };
    github.addUser(nobody);
    const { cookie } = await signIn(dashboard, github, nobody);
    const log = await get(dashboard.url, cookie);
    expect(log.status).toBe(200);
    expect(log.text).toContain("You cannot read any repository where Hotfix Guard is installed");
    expect(log.text).not.toContain("HOTFIX-");
    const metrics = await get(`${dashboard.url}/metrics`, cookie);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/<th scope="row">Hotfixes<\/th><td class="num">0<\/td>/);
    const json = await get(`${dashboard.url}/export/log.json`, cookie);
    expect((JSON.parse(json.text) as { hotfixes: unknown[] }).hotfixes).toStrictEqual([]);
  });
});
