/**
 * The dashboard in real headless Chromium (Debian's package, driven by playwright-core; nothing is
 * downloaded), with JavaScript switched off to prove the pages work without it. The dashboard runs
 * inside Probot's own server through `addHandler`, GitHub is the local fake. Users sign in through
 * the OAuth redirects, open each page, filter, follow a hotfix and download an export; a user
 * without access sees nothing of a private repository and a non-admin no audit details.
 * Screenshots of each page go to `test/web/artifacts/`; with `UPDATE_DOCS_SCREENSHOTS=1` the tops
 * of the log and metrics pages are also written to `docs/images/` for the README.
 * Skipped only when no Chromium binary exists (CI installs it).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHandler } from "../../src/web/handler.js";
import { dashboardConfigFromEnv } from "../../src/web/settings.js";
import { freePort, SILENT_LOG, TEST_PROBOT_OPTIONS } from "../helpers/app.js";
import { ALICE, BOB, CLIENT_ID, CLIENT_SECRET, FakeGitHub, type FakeUser } from "./fake-github.js";
import { AUTHORISER, BYPASS_REASON, FakeLogReader, NOW, sampleRecords, SECRET_TITLE } from "./fake-log.js";
import { SESSION_SECRET } from "./harness.js";

const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path): path is string => !!path && existsSync(path));
const ARTIFACTS = join(import.meta.dirname, "artifacts");
const DOCS_IMAGES = join(import.meta.dirname, "..", "..", "docs", "images");
/** Launching Chromium and the first page load can take long on a busy machine. */
const SLOW = 120_000;

describe.skipIf(!CHROMIUM)("the dashboard in Chromium", () => {
  const github = new FakeGitHub();
  const reader = new FakeLogReader(sampleRecords({ hostileTitle: false }));
  let server: Server;
  let browser: Browser;
  let base = "";

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await github.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}/dashboard`;
    const config = dashboardConfigFromEnv({
      GITHUB_CLIENT_ID: CLIENT_ID,
      GITHUB_CLIENT_SECRET: CLIENT_SECRET,
      SESSION_SECRET,
      GITHUB_API_URL: github.apiUrl,
      DASHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    server = new Server({ Probot: Probot.defaults({ ...TEST_PROBOT_OPTIONS, secret: "s3cret" }), port, host: "127.0.0.1", log: SILENT_LOG });
    await server.load((_app, { addHandler }) => addHandler(createDashboardHandler({ config, reader, now: () => NOW })));
    await server.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await github.stop();
  }, SLOW);

  async function context(width = 1280): Promise<BrowserContext> {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    ctx.setDefaultTimeout(60_000);
    ctx.setDefaultNavigationTimeout(60_000);
    return ctx;
  }

  async function signIn(page: Page, user: FakeUser): Promise<void> {
    github.signInAs = user;
    await page.goto(base);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign in");
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(base);
    await expect(page.getByText(`Signed in as ${user.login}`).count()).resolves.toBe(1);
  }

  /** How many pixels the page is wider than the window (the tests run without DOM types, hence the string). */
  function overflow(page: Page): Promise<number> {
    return page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
  }

  /** Saves a full-page screenshot; with `docs`, also the page's top `docs.height` pixels as a README image. */
  async function shot(page: Page, name: string, docs?: { readonly file: string; readonly height: number }): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
    if (docs && process.env.UPDATE_DOCS_SCREENSHOTS === "1") {
      mkdirSync(DOCS_IMAGES, { recursive: true });
      await page.screenshot({ path: join(DOCS_IMAGES, docs.file), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: docs.height } });
    }
  }

  it(
    "signs in, opens each page, filters, follows a hotfix and downloads an export",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(base);
      await shot(page, "01-sign-in.png");
      await signIn(page, ALICE);
      const rows = page.locator("table.stack tbody tr");
      await expect(rows.count()).resolves.toBe(25);
      await expect(page.getByText("48 hotfixes match").count()).resolves.toBe(1);
      await shot(page, "02-log.png", { file: "dashboard-log.png", height: 1000 });

      await page.getByLabel("Repository").selectOption("acme/payments");
      await page.getByLabel("Verdict").selectOption({ label: "Justified bypass" });
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/verdict=justified-bypass/);
      const verdicts = await page.locator('td[data-label="Verdict"]').allTextContents();
      expect(verdicts.length).toBeGreaterThan(0);
      expect(new Set(verdicts)).toStrictEqual(new Set(["Justified bypass"]));
      expect(new Set(await page.locator('td[data-label="Repository"]').allTextContents())).toStrictEqual(new Set(["acme/payments"]));
      await shot(page, "03-log-filtered.png");

      const first = page.locator("table.stack tbody tr th a").first();
      const id = (await first.textContent()) ?? "";
      await first.click();
      await page.waitForURL(/\/dashboard\/hotfix\//);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(`[${id}]`);
      for (const heading of ["The Emergency", "The Fix", "The Context", "Audit verdict", "Follow-up Required", "Timeline"]) {
        await expect(page.getByRole("heading", { name: heading }).count()).resolves.toBe(1);
      }
      await expect(page.getByRole("table", { name: "What happened, oldest first" }).locator("tbody tr").count()).resolves.toBeGreaterThan(3);
      await expect(page.getByRole("table", { name: "Bypass justification" }).count()).resolves.toBe(1);
      await expect(page.getByRole("link", { name: "Audit comment" }).count()).resolves.toBe(1);
      await shot(page, "04-hotfix.png");

      await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Metrics" }).click();
      await page.waitForURL(`${base}/metrics`);
      await expect(page.locator('svg[role="img"]').count()).resolves.toBe(3);
      await expect(page.getByRole("img", { name: "Hotfixes per month" }).count()).resolves.toBe(1);
      await expect(page.locator(".warnings li").count()).resolves.toBeGreaterThan(0);
      await shot(page, "05-metrics.png", { file: "dashboard-metrics.png", height: 1480 });

      await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Exports" }).click();
      await page.waitForURL(`${base}/export`);
      await shot(page, "06-exports.png");
      const markdownHref = (await page.getByRole("link", { name: "Markdown" }).getAttribute("href")) ?? "";
      const markdown = await ctx.request.get(new URL(markdownHref, base).href);
      expect(markdown.status()).toBe(200);
      expect(await markdown.text()).toContain("### 🚨 [HOTFIX-030]");

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(base);
      await expect(page.getByRole("link", { name: "Sign in with GitHub" }).count()).resolves.toBe(1);
      expect(github.revoked).toHaveLength(1);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "stays readable in a narrow window",
    async () => {
      const ctx = await context(375);
      const page = await ctx.newPage();
      await signIn(page, ALICE);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shot(page, "07-log-narrow.png");
      await page.goto(`${base}/metrics`);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      await shot(page, "08-metrics-narrow.png");
      await ctx.close();
    },
    SLOW,
  );

  it(
    "shows a user without access nothing of a private repository, and a non-admin no audit details",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await signIn(page, BOB);
      const repos = new Set(await page.locator('td[data-label="Repository"]').allTextContents());
      expect(repos).toStrictEqual(new Set(["acme/checkout"]));
      const options = await page.getByLabel("Repository").locator("option").allTextContents();
      expect(options.join(" ")).not.toContain("acme/payments");
      const secret = reader.records.find((rec) => rec.repo === "acme/vault");
      const response = await page.goto(`${base}/hotfix/acme/vault/${secret?.id ?? ""}`);
      expect(response?.status()).toBe(404);
      expect(await page.content()).not.toContain(SECRET_TITLE);
      const bypass = reader.records.find((rec) => rec.repo === "acme/checkout" && rec.audit?.verdict === "justified-bypass");
      await page.goto(`${base}/hotfix/acme/checkout/${bypass?.id ?? ""}`);
      await expect(page.getByText("Who bypassed and the justification are shown to the repository's administrators").count()).resolves.toBe(1);
      const text = (await page.locator("main").textContent()) ?? "";
      expect(text).not.toContain(BYPASS_REASON);
      expect(text).not.toContain(AUTHORISER);
      await shot(page, "09-hotfix-non-admin.png");
      await ctx.close();
    },
    SLOW,
  );
});
