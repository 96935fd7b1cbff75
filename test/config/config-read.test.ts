/**
 * Reading `.github/hotfix-guard.yml` from GitHub, through `probot.receive`: a failed read fails
 * the delivery, writes nothing and caches nothing (the next delivery reads again); only a 404 of
 * the path in a repository the token can see means the defaults. A file above the size limit is
 * refused unread, and the check run says so with the limit; `_extends` is bounded.
 */
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONFIG_SIZE_LIMIT } from "../../src/config/parse.js";
import { CROSS_OWNER_EXTENDS_ENV } from "../../src/github/config-files.js";
import { registerConfigPushHandler } from "../../src/handlers/config-push.js";
import { ALL_PERMISSIONS, contentsFile, GitHubMock, probotWith, testProbot } from "../helpers/app.js";
import { pullRequestEvent, pushEvent } from "../helpers/fixtures.js";

const CONFIG = "/repos/acme/payments/contents/.github%2Fhotfix-guard.yml";
const CONFIG_READ = "GET /repos/acme/payments/contents/.github/hotfix-guard.yml";
const AFTER = "c".repeat(40);

afterEach(() => {
  vi.unstubAllEnvs();
  nock.cleanAll();
});

/** Only the configuration push handler, so that a push to `main` costs nothing else. */
const configPushProbot = () => probotWith(registerConfigPushHandler);

/** A pull request into `develop`: the handler reads the configuration and then has nothing to do. */
const developPullRequest = (number: number) => pullRequestEvent("opened", { baseRef: "develop", headRef: "feature/checkout", number });

describe("a configuration read that fails", () => {
  it.each([
    { name: "the installation token request answers 401", token: 401, mock: (_github: GitHubMock): void => undefined },
    {
      name: "the repository itself answers 404 to a token for selected repositories (not visible to the installation)",
      token: "selected",
      mock: (github: GitHubMock) => {
        github.scope.get(CONFIG).reply(404, { message: "Not Found" });
        github.scope.get("/repos/acme/payments").reply(404, { message: "Not Found" });
      },
    },
    {
      name: "the repository answers 502 when its visibility is confirmed",
      token: "selected",
      mock: (github: GitHubMock) => {
        github.scope.get(CONFIG).reply(404, { message: "Not Found" });
        github.scope.get("/repos/acme/payments").reply(502, { message: "Bad Gateway" });
      },
    },
    { name: "the file answers 502", token: "all", mock: (github: GitHubMock) => void github.scope.get(CONFIG).reply(502, { message: "Bad Gateway" }) },
    { name: "the file answers 403", token: "all", mock: (github: GitHubMock) => void github.scope.get(CONFIG).reply(403, { message: "Resource not accessible by integration" }) },
    { name: "the file answers 401", token: "all", mock: (github: GitHubMock) => void github.scope.get(CONFIG).reply(401, { message: "Bad credentials" }) },
    {
      name: "the organisation fallback answers 500",
      token: "all",
      mock: (github: GitHubMock) => {
        github.scope.get(CONFIG).reply(404, { message: "Not Found" });
        github.scope.get("/repos/acme/.github/contents/.github%2Fhotfix-guard.yml").reply(500, { message: "Server Error" });
      },
    },
  ])("$name: the delivery fails, no check run is written, and the next delivery reads again", async ({ token, mock }) => {
    const probot = await testProbot();
    const github = new GitHubMock();
    if (token === 401) github.installation().scope.post("/app/installations/1/access_tokens").reply(401, { message: "Bad credentials" });
    else github.token(ALL_PERMISSIONS, token === "selected" ? "selected" : "all");
    mock(github);

    await expect(probot.receive(pullRequestEvent("opened"))).rejects.toThrow();

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.writes).toStrictEqual([]);
    github.requests.length = 0;
    if (token === 401) github.token();
    github.config(null);
    await probot.receive(developPullRequest(43));
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests).toContain(CONFIG_READ);
  });

  it.each([
    { selection: "all" as const, confirm: false },
    { selection: "selected" as const, confirm: true },
  ])("a 404 of the file in a repository the token sees ($selection repositories): the defaults, said so in the check run", async ({ selection, confirm }) => {
    const probot = await configPushProbot();
    const github = new GitHubMock().token(ALL_PERMISSIONS, selection).config(null).listCheckRuns(AFTER).createCheckRun();

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    expect(github.requests.includes("GET /repos/acme/payments")).toBe(confirm);
    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: configuration", conclusion: "success" });
    expect(github.lastWrite().output.summary).toContain("Configuration: the defaults");
  });
});

describe("a configuration file's size", () => {
  it("refuses a 100,000-key file unread, from the size GitHub reports, and the check run names the limit", async () => {
    const probot = await configPushProbot();
    const huge = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun();
    github.scope.get(CONFIG).reply(200, contentsFile(huge));

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.scope.pendingMocks()).toStrictEqual([]);
    const run = github.lastWrite();
    expect(run).toMatchObject({ name: "Hotfix Guard: configuration", conclusion: "failure", output: { title: "Hotfix Guard: invalid configuration" } });
    expect(run.output.summary).toContain(
      `| \`acme/payments:.github/hotfix-guard.yml\` | \`(file)\` | a file of at most 64 KiB (65,536 bytes), the limit Hotfix Guard reads | a file of ${Math.floor(huge.length / 1024)} KiB (${huge.length.toLocaleString("en-US")} bytes): too large, not read |`,
    );
  });

  it("refuses a file above 1 MB, whose content the contents API does not even include", async () => {
    const probot = await configPushProbot();
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun();
    github.scope.get(CONFIG).reply(200, { type: "file", encoding: "none", size: 5_000_000, content: "" });

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.lastWrite().output.summary).toContain("a file of 4882 KiB (5,000,000 bytes): too large, not read");
  });

  it("applies a large but valid file just under the limit", async () => {
    const probot = await configPushProbot();
    const paths = Array.from({ length: 1_500 }, (_, i) => `    - "vendor/generated/module-${String(i).padStart(5, "0")}/**"`);
    const yaml = ["scope:", "  forbidden_paths:", ...paths, ""].join("\n");
    expect(yaml.length).toBeGreaterThan(CONFIG_SIZE_LIMIT - 10_000);
    expect(yaml.length).toBeLessThanOrEqual(CONFIG_SIZE_LIMIT);
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun().noFloor();
    github.scope.get(CONFIG).reply(200, contentsFile(yaml));

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.lastWrite()).toMatchObject({ name: "Hotfix Guard: configuration", conclusion: "success" });
  });
});

describe("_extends", () => {
  async function pushWith(files: Record<string, string>): Promise<string> {
    const probot = await configPushProbot();
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun().noFloor();
    for (const [path, yaml] of Object.entries(files)) github.scope.get(path).reply(200, contentsFile(yaml));
    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));
    expect(github.scope.pendingMocks()).toStrictEqual([]);
    return github.lastWrite().output.summary;
  }

  it("refuses a base of another owner, as a problem row naming the file and the rule", async () => {
    const summary = await pushWith({ [CONFIG]: "_extends: evil/policies\n" });

    expect(summary).toContain(
      "| `acme/payments:.github/hotfix-guard.yml` | `_extends` | a repository of `acme`: `_extends` across owners is refused unless the app's operator allows that owner (HOTFIX_GUARD_ALLOW_CROSS_OWNER_EXTENDS) | `evil/policies:.github/hotfix-guard.yml`, a repository of `evil` |",
    );
  });

  it.each(["true", "Partner, other"])("follows a base of another owner the operator allows (%s)", async (allowed) => {
    vi.stubEnv(CROSS_OWNER_EXTENDS_ENV, allowed);
    const summary = await pushWith({
      [CONFIG]: "_extends: partner/policies\n",
      "/repos/partner/policies/contents/.github%2Fhotfix-guard.yml": "approvals:\n  required: 2\n",
    });

    expect(summary).toContain("Configuration: `acme/payments:.github/hotfix-guard.yml`, extending `partner/policies:.github/hotfix-guard.yml`");
  });

  it("refuses a cycle and a chain longer than five bases", async () => {
    const cycle = await pushWith({ [CONFIG]: "_extends: base\n", "/repos/acme/base/contents/.github%2Fhotfix-guard.yml": "_extends: payments\n" });
    expect(cycle).toContain("| `acme/base:.github/hotfix-guard.yml` | `_extends` | a chain of bases that ends | `acme/payments:.github/hotfix-guard.yml`, which was already read: a cycle |");

    const chain = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`/repos/acme/base${i}/contents/.github%2Fhotfix-guard.yml`, `_extends: base${i + 1}\n`]));
    const long = await pushWith({ [CONFIG]: "_extends: base0\n", ...chain });
    expect(long).toContain("| `acme/base4:.github/hotfix-guard.yml` | `_extends` | at most 5 bases in a chain of `_extends` | a further base, `acme/base5:.github/hotfix-guard.yml` |");
  });

  it("reports a base that does not exist instead of ignoring it", async () => {
    const probot = await configPushProbot();
    const github = new GitHubMock().token().listCheckRuns(AFTER).createCheckRun();
    github.scope.get(CONFIG).reply(200, contentsFile("_extends: policies\n"));
    github.scope.get("/repos/acme/policies/contents/.github%2Fhotfix-guard.yml").reply(404, { message: "Not Found" });

    await probot.receive(pushEvent("main", { modified: [".github/hotfix-guard.yml"] }, AFTER));

    expect(github.lastWrite().output.summary).toContain("`acme/policies:.github/hotfix-guard.yml`, which is missing or not visible to the app");
  });
});
