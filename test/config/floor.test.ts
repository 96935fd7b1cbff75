/**
 * The organisation floor: for each floored field, a repository configuration that tightens it
 * keeps its value, one that loosens it gets a problem row naming the floor and its file while the
 * floor value applies, and one that says nothing gets the floor silently. Through `_extends` too:
 * a base that loosens the floor is named as the file holding the value, and cannot escape it.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig, type ConfigFile } from "../../src/config/load.js";
import type { HotfixConfig } from "../../src/config/schema.js";

const REPO_FILE = "acme/payments:.github/hotfix-guard.yml";
const BASE_FILE = "acme/policies:.github/hotfix-guard.yml";
const ORG_FILE = "acme/.github:.github/hotfix-guard.yml";

const FLOOR = {
  mode: "enforce",
  approvals: { required: 2 },
  template: { sections: ["Rollback Plan"] },
  bypass: { authorizers: { users: ["cto-carol"], teams: ["sre"] } },
  merge_back: { targets: ["develop", "staging"] },
};

/** The repository's file (or an `_extends` base holding `settings`), with the organisation's file read for its floor. */
function files(settings: Record<string, unknown>, via: "own file" | "_extends base"): ConfigFile[] {
  const floorFile: ConfigFile = { location: ORG_FILE, config: { floor: FLOOR }, organisation: true, floorOnly: true };
  if (via === "own file") return [{ location: REPO_FILE, config: settings }, floorFile];
  return [{ location: REPO_FILE, config: {} }, { location: BASE_FILE, config: settings }, floorFile];
}

interface Case {
  readonly field: string;
  readonly tighter: Record<string, unknown>;
  readonly looser: Record<string, unknown>;
  /** The key path the loosening row names. */
  readonly path: string;
  /** What the loosened value reads once the floor applies, and what the tightened one keeps. */
  readonly applied: (config: HotfixConfig) => unknown;
  readonly floorValue: unknown;
  readonly tighterValue: unknown;
}

const CASES: Case[] = [
  {
    field: "mode",
    tighter: { mode: "enforce" },
    looser: { mode: "evaluate" },
    path: "mode",
    applied: (c) => c.mode,
    floorValue: "enforce",
    tighterValue: "enforce",
  },
  {
    field: "minimum approvals",
    tighter: { approvals: { required: 3 } },
    looser: { approvals: { required: 1 } },
    path: "approvals.required",
    applied: (c) => c.approvals.required,
    floorValue: 2,
    tighterValue: 3,
  },
  {
    field: "approvals per severity",
    tighter: { approvals: { by_severity: { CRITICAL: 2 } } },
    looser: { approvals: { by_severity: { CRITICAL: 0 } } },
    path: "approvals.by_severity.CRITICAL",
    applied: (c) => c.approvals.by_severity.CRITICAL,
    floorValue: 2,
    tighterValue: 2,
  },
  {
    field: "required template sections",
    tighter: { template: { sections: ["Incident Reference", "rollback plan", "Monitoring Plan"] } },
    looser: { template: { sections: ["Incident Reference"] } },
    path: "template.sections",
    applied: (c) => c.template.sections,
    floorValue: ["Incident Reference", "Rollback Plan"],
    tighterValue: ["Incident Reference", "rollback plan", "Monitoring Plan"],
  },
  {
    field: "bypass authorisers (others named)",
    tighter: { bypass: { authorizers: { users: ["cto-carol"] } } },
    looser: { bypass: { authorizers: { users: ["cto-carol", "intern-ivan"] } } },
    path: "bypass.authorizers",
    applied: (c) => c.bypass.authorizers,
    floorValue: { users: ["cto-carol"], teams: [] },
    tighterValue: { users: ["cto-carol"], teams: [] },
  },
  {
    field: "bypass authorisers (left to administrators)",
    tighter: { bypass: { authorizers: { teams: ["acme/sre"] } } },
    looser: { bypass: { authorizers: { users: [], teams: [] } } },
    path: "bypass.authorizers",
    applied: (c) => c.bypass.authorizers,
    floorValue: { users: ["cto-carol"], teams: ["sre"] },
    tighterValue: { users: [], teams: ["acme/sre"] },
  },
  {
    field: "merge-back targets",
    tighter: { merge_back: { targets: ["develop", "staging", "release/*"] } },
    looser: { merge_back: { targets: ["develop"] } },
    path: "merge_back.targets",
    applied: (c) => c.merge_back.targets,
    floorValue: ["develop", "staging"],
    tighterValue: ["develop", "staging", "release/*"],
  },
];

function policyOf(configFiles: ConfigFile[]) {
  const result = resolveConfig(configFiles, "acme");
  if (!result.ok) throw new Error(`invalid: ${JSON.stringify(result.problems)}`);
  return result.policy;
}

describe.each(["own file", "_extends base"] as const)("the organisation floor, the settings in the repository's %s", (via) => {
  const holder = via === "own file" ? REPO_FILE : BASE_FILE;

  it.each(CASES)("$field: a tighter value stays, with no problem row", ({ tighter, applied, tighterValue }) => {
    const policy = policyOf(files(tighter, via));
    expect(applied(policy.config)).toStrictEqual(tighterValue);
    expect(policy.source.floorProblems ?? []).toStrictEqual([]);
    expect(policy.source.floorFile).toBe(ORG_FILE);
  });

  it.each(CASES)("$field: a looser value gets a row naming the floor and its file, and the floor applies", ({ looser, path, applied, floorValue }) => {
    const policy = policyOf(files(looser, via));
    expect(applied(policy.config)).toStrictEqual(floorValue);
    const rows = (policy.source.floorProblems ?? []).filter((problem) => problem.path === path);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.file).toBe(holder);
    expect(rows[0]?.expected).toContain(`the organisation floor \`floor.`);
    expect(rows[0]?.expected).toContain(ORG_FILE);
  });
});

describe("the organisation floor where the repository says nothing", () => {
  it("applies silently: no row, the floor's values in force", () => {
    const policy = policyOf(files({}, "own file"));
    expect(policy.source.floorProblems ?? []).toStrictEqual([]);
    expect(policy.config.approvals.required).toBe(2);
    expect(policy.config.bypass.authorizers).toStrictEqual({ users: ["cto-carol"], teams: ["sre"] });
    expect(policy.config.merge_back.targets).toStrictEqual(["develop", "release/*", "staging"]);
    expect(policy.sections.map((section) => section.name)).toContain("Rollback Plan");
    expect(policy.source.files).toStrictEqual([REPO_FILE]);
  });

  it("comes with the organisation's file when that file is the repository's configuration too", () => {
    const org: ConfigFile = { location: ORG_FILE, config: { approvals: { required: 1 }, floor: { approvals: { required: 2 } } }, organisation: true };
    const policy = policyOf([{ location: REPO_FILE, config: null }, org]);
    expect(policy.config.approvals.required).toBe(2);
    expect(policy.source.floorProblems?.map((problem) => [problem.file, problem.path])).toStrictEqual([[ORG_FILE, "approvals.required"]]);
    expect(policy.source.files).toStrictEqual([ORG_FILE]);
  });
});

describe("a floor declared elsewhere", () => {
  it("is ignored, with a row: a repository (or its base) cannot set its own floor", () => {
    const policy = policyOf([
      { location: REPO_FILE, config: { floor: { approvals: { required: 0 } } } },
      { location: BASE_FILE, config: { floor: { mode: "evaluate" } } },
    ]);
    expect(policy.source.floorFile).toBeUndefined();
    expect(policy.source.floorProblems?.map((problem) => [problem.file, problem.path, problem.found])).toStrictEqual([
      [REPO_FILE, "floor", "a floor in another file: ignored"],
      [BASE_FILE, "floor", "a floor in another file: ignored"],
    ]);
  });

  it("an invalid floor in the organisation's file is a configuration problem of that file", () => {
    const result = resolveConfig([{ location: REPO_FILE, config: {} }, { location: ORG_FILE, config: { floor: { approvals: { required: "two" } } }, organisation: true, floorOnly: true }], "acme");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toStrictEqual([{ file: ORG_FILE, path: "floor.approvals.required", expected: "a number", found: '"two"' }]);
  });
});
