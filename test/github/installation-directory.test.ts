/**
 * The installations' accounts kept in memory: one `GET /app/installations/{id}` per installation
 * while it is kept, at most a fixed number kept, and a forgotten installation's account asked for
 * again (never assumed) on its next delivery.
 */
import { describe, expect, it } from "vitest";
import type { ProbotOctokit } from "probot";
import { InstallationDirectory } from "../../src/github/installation.js";

/** An app Octokit answering `GET /app/installations/{id}` with the account `owners[id]`, counting the lookups. */
function appAnswering(owners: Record<number, string>) {
  const lookups: number[] = [];
  const octokit = {
    rest: {
      apps: {
        getInstallation: async ({ installation_id }: { installation_id: number }) => {
          lookups.push(installation_id);
          return { data: { id: installation_id, account: { id: installation_id * 10, login: owners[installation_id] ?? "nobody" } } };
        },
      },
    },
  } as unknown as ProbotOctokit;
  return { lookups, app: async () => octokit };
}

describe("installation directory bound", () => {
  it("keeps at most the configured number of installations, however many send deliveries", async () => {
    const directory = new InstallationDirectory(5);
    const { app } = appAnswering({});
    for (let id = 1; id <= 40; id += 1) await directory.get(id, app);
    expect(directory.size).toBe(5);
  });

  it("asks again for a forgotten installation's account, and sees what it is now", async () => {
    const directory = new InstallationDirectory(2);
    const owners: Record<number, string> = { 1: "acme", 2: "globex", 3: "initech" };
    const { lookups, app } = appAnswering(owners);
    await directory.get(1, app);
    await directory.get(2, app);
    await directory.get(1, app);
    await directory.get(3, app);
    owners[2] = "globex-renamed";
    const again = await directory.get(2, app);
    expect(again.account.login).toBe("globex-renamed");
    expect(await directory.get(3, app)).toMatchObject({ account: { login: "initech" } });
    expect(lookups).toStrictEqual([1, 2, 3, 2]);
  });
});
