/**
 * Issue 15, seed 003: emergency branch stamps written with `date +%Y%m%d-%H%M` are the
 * committer's local time. `hotfix.timezone` reads them in the team's zone, the row shows the
 * local and the UTC time, and an unknown zone is a configuration error.
 */
import { describe, expect, it } from "vitest";
import { instantOfWallClock, wallClockIn } from "../../src/config/branch-grammar.js";
import { resolveConfig } from "../../src/config/load.js";
import { branchNameRule } from "../../src/rules/branch-name.js";
import type { Finding } from "../../src/rules/types.js";
import { policyFrom, snapshot } from "../helpers/builders.js";

/** 15:00 UTC is 16:00 in Berlin (CET, +1) and 10:00 in New York (EST, -5). */
const NOW = new Date("2026-11-23T15:00:00Z");

function row(branch: string, timezone?: string): Finding {
  const policy = policyFrom({ hotfix: { branch_names: ["hotfix/emergency-{date}-{time}"], emergency_window_hours: 24, ...(timezone ? { timezone } : {}) } });
  const [finding] = branchNameRule(snapshot({ headRef: branch }), policy, NOW);
  if (!finding) throw new Error("no row");
  return finding;
}

describe("hotfix.timezone", () => {
  it.each([
    ["UTC stamp, default zone", "hotfix/emergency-20261123-1450", undefined, "pass", "20261123-1450 UTC is 10 minutes old"],
    ["Berlin stamp, default zone: in the future", "hotfix/emergency-20261123-1550", undefined, "fail", "in the future: branch names use UTC"],
    ["Berlin stamp, Berlin zone", "hotfix/emergency-20261123-1550", "Europe/Berlin", "pass", "20261123-1550 Europe/Berlin (20261123-1450 UTC) is 10 minutes old"],
    ["UTC stamp, Berlin zone: an hour older", "hotfix/emergency-20261123-1450", "Europe/Berlin", "pass", "20261123-1450 Europe/Berlin (20261123-1350 UTC) is 1 hour old"],
    ["New York stamp, New York zone", "hotfix/emergency-20261123-0950", "America/New_York", "pass", "(20261123-1450 UTC)"],
    ["UTC stamp, New York zone: in the future", "hotfix/emergency-20261123-1450", "America/New_York", "fail", "it is now 20261123-1000 America/New_York (20261123-1500 UTC)"],
    ["Berlin stamp two days old", "hotfix/emergency-20261121-1550", "Europe/Berlin", "fail", "20261121-1550 Europe/Berlin (20261121-1450 UTC) was"],
  ])("%s", (_, branch, timezone, status, text) => {
    const finding = row(branch, timezone);
    expect(finding.status).toBe(status);
    expect(finding.actual).toContain(text);
  });

  it("suggests a name stamped in the configured zone", () => {
    const finding = row("hotfix/emergency-20261123-1750", "Europe/Berlin");
    expect(finding.status).toBe("fail");
    expect(finding.remedy).toContain("hotfix/emergency-20261123-1600");
    expect(finding.remedy).toContain("TZ=Europe/Berlin date +%Y%m%d-%H%M");
  });

  it.each([["Mars/Olympus"], ["CET+1"], [""]])("refuses the zone %j", (timezone) => {
    const result = resolveConfig([{ location: "acme/x:.github/hotfix-guard.yml", config: { hotfix: { timezone } } }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.path).toBe("hotfix.timezone");
  });

  it.each([
    ["20261025", "0230", "Europe/Berlin"],
    ["20260329", "0330", "Europe/Berlin"],
    ["20261123", "1600", "Europe/Berlin"],
    ["20260101", "0000", "Asia/Kolkata"],
  ])("reads %s-%s in %s back as the same clock", (date, time, zone) => {
    expect(wallClockIn(new Date(instantOfWallClock({ date, time }, zone)), zone)).toStrictEqual({ date, time });
  });
});
