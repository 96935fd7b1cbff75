/**
 * The metrics page's view model over a busy organisation: a warning sign links at most
 * MAX_LINKS_SHOWN hotfixes and a list shows at most MAX_LIST_ITEMS lines, each saying how many
 * more there are, so the page stays readable and small while the exports keep everything.
 */
import { describe, expect, it } from "vitest";
import type { LogMetrics } from "../../src/log/model.js";
import { MAX_LINKS_SHOWN, MAX_LIST_ITEMS, metricsView, Routes } from "../../src/web/pages.js";
import { FakeLogReader, NOW } from "./fake-log.js";

const ids = (count: number) => Array.from({ length: count }, (_, i) => `HOTFIX-${String(i + 1).padStart(3, "0")}`);

async function busyMetrics(): Promise<LogMetrics> {
  const metrics = await new FakeLogReader().metrics("acme/checkout", { since: "2026-06-01T00:00:00.000Z", until: NOW.toISOString() });
  return {
    ...metrics,
    warnings: [{ kind: "repeat-incidents", message: "Many repeats.", value: 80, threshold: 10, ids: ids(MAX_LINKS_SHOWN + 7) }],
    repeatIncidents: Array.from({ length: MAX_LIST_ITEMS + 12 }, (_, i) => ({ repo: "acme/checkout", reason: "same-files" as const, key: `src/file-${i}.ts`, ids: ids(i === 0 ? MAX_LINKS_SHOWN + 3 : 2) })),
  };
}

describe("the metrics page of a busy organisation", () => {
  it("links the first hotfixes of a warning sign and counts the rest", async () => {
    const view = metricsView(new Routes("/dashboard"), ["acme/checkout"], "acme/checkout", 6, await busyMetrics());
    expect(view.warnings[0]?.links).toHaveLength(MAX_LINKS_SHOWN);
    expect(view.warnings[0]?.more).toBe(7);
  });

  it("shows the first lines of a long list, each with its own count of hotfixes left out", async () => {
    const [repeats] = metricsView(new Routes("/dashboard"), ["acme/checkout"], "acme/checkout", 6, await busyMetrics()).lists;
    expect(repeats?.items).toHaveLength(MAX_LIST_ITEMS);
    expect(repeats?.more).toBe(12);
    expect(repeats?.items[0]?.links).toHaveLength(MAX_LINKS_SHOWN);
    expect(repeats?.items[0]?.more).toBe(3);
    expect(repeats?.items[1]?.more).toBe(0);
  });
});
