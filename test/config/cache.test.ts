/**
 * The configuration cache holds a bounded number of repositories: the least recently used is
 * dropped first, and a dropped repository's configuration is read again on its next event, so a
 * file changed meanwhile is what applies.
 */
import { describe, expect, it } from "vitest";
import { ConfigCache } from "../../src/config/cache.js";
import { resolveConfig, type ConfigResult } from "../../src/config/load.js";

/** A repository whose configuration file says `production`, counting the reads. */
function repository(production: string) {
  const state = { production, reads: 0 };
  const load = async (): Promise<ConfigResult> => {
    state.reads += 1;
    return resolveConfig([{ location: "acme/repo:.github/hotfix-guard.yml", config: { branches: { production: state.production } } }]);
  };
  return { state, load };
}

async function productionOf(result: Promise<ConfigResult>): Promise<string> {
  const config = await result;
  if (!config.ok) throw new Error("unexpected invalid configuration");
  return config.policy.config.branches.production;
}

describe("configuration cache bound", () => {
  it("keeps at most the configured number of repositories, however many send events", async () => {
    const cache = new ConfigCache({ maxRepositories: 3 });
    for (let i = 0; i < 50; i += 1) await cache.get("acme", `repo-${i}`, repository("main").load);
    expect(cache.size).toBe(3);
  });

  it("reads a dropped repository's configuration again, so a file changed meanwhile applies", async () => {
    const cache = new ConfigCache({ maxRepositories: 2 });
    const payments = repository("main");
    expect(await productionOf(cache.get("acme", "payments", payments.load))).toBe("main");
    payments.state.production = "prod";
    await cache.get("acme", "billing", repository("main").load);
    await cache.get("acme", "search", repository("main").load);
    expect(await productionOf(cache.get("acme", "payments", payments.load))).toBe("prod");
    expect(payments.state.reads).toBe(2);
  });

  it("drops the least recently used repository, not the one in use", async () => {
    const cache = new ConfigCache({ maxRepositories: 2 });
    const payments = repository("main");
    const billing = repository("main");
    await cache.get("acme", "payments", payments.load);
    await cache.get("acme", "billing", billing.load);
    await cache.get("acme", "payments", payments.load);
    await cache.get("acme", "search", repository("main").load);
    await cache.get("acme", "payments", payments.load);
    await cache.get("acme", "billing", billing.load);
    expect({ payments: payments.state.reads, billing: billing.state.reads }).toStrictEqual({ payments: 1, billing: 2 });
  });

  it("still reads an expired entry again within the bound", async () => {
    let now = 0;
    const cache = new ConfigCache({ maxRepositories: 10, ttlMs: 1000, clock: () => now });
    const payments = repository("main");
    await cache.get("acme", "payments", payments.load);
    payments.state.production = "prod";
    now = 1001;
    expect(await productionOf(cache.get("acme", "payments", payments.load))).toBe("prod");
    expect(cache.size).toBe(1);
  });
});
