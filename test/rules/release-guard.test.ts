/** The release guard's pure rules: levels, presence from rows, the verdict (unknown is never "present"), skips and backports. */
import { describe, expect, it } from "vitest";
import { backportRow, isVersionTag, judgeRelease, presenceFromCheck, presenceFromRows, releaseLevel, skipTarget, targetArgs, type HotfixPresence, type Presence } from "../../src/rules/release-guard.js";
import { policyFrom } from "../helpers/builders.js";
import { reminderState } from "../helpers/merge-back-fixtures.js";
import type { Row } from "../../src/model/merge-back.js";

const policy = policyFrom({});
const SKIP = { by: "admin-carol", reason: "replaced", at: "2026-11-23T15:00:00Z" };
const ROWS: Row[] = [
  { target: "develop", status: "done", evidence: { via: "ancestry", sha: "a".repeat(40) } },
  { target: "release/1.5", status: "missing" },
  { target: "release/1.4", status: "skipped", skip: SKIP },
];

function item(presence: Presence): HotfixPresence {
  return { state: reminderState(ROWS), reminder: 7, presence };
}

describe("releaseLevel", () => {
  it.each([
    ["release/1.5", "block"],
    ["develop", "warn"],
    ["feature/x", "warn"],
  ])("%s → %s by default", (branch, level) => {
    expect(releaseLevel(branch, policy)).toBe(level);
  });

  it("follows the configuration", () => {
    expect(releaseLevel("develop", policyFrom({ release_guard: { develop: "block" } }))).toBe("block");
  });
});

describe("presence", () => {
  it("reads done and skipped rows of the candidate's branch, and leaves the rest to a check", () => {
    const state = reminderState(ROWS);
    expect(presenceFromRows(state, "develop")).toMatchObject({ kind: "present" });
    expect(presenceFromRows(state, "release/1.4")).toStrictEqual({ kind: "skipped", skip: SKIP });
    expect(presenceFromRows(state, "release/1.5")).toBeNull();
    expect(presenceFromRows(state, null)).toBeNull();
  });

  it("never takes a commit GitHub does not know for present", () => {
    expect(presenceFromCheck({ exists: false }).kind).toBe("unknown");
    expect(presenceFromCheck({ exists: true, evidence: null }).kind).toBe("missing");
  });

  it("takes a copy GitHub's data could not settle for unknown, with the reason", () => {
    expect(presenceFromCheck({ exists: true, evidence: null, unverified: "too large" })).toStrictEqual({ kind: "unknown", detail: "too large" });
    expect(presenceFromCheck({ exists: true, evidence: { via: "same-change", files: 1 } }).kind).toBe("present");
  });
});

describe("judgeRelease", () => {
  it.each([
    [[{ kind: "present", evidence: { via: "ancestry", sha: "a" } }], "block", "success"],
    [[{ kind: "skipped", skip: SKIP }], "block", "success"],
    [[{ kind: "missing" }], "block", "failure"],
    [[{ kind: "missing" }], "warn", "neutral"],
    [[{ kind: "unknown", detail: "x" }], "block", "failure"],
    [[{ kind: "present", evidence: { via: "ancestry", sha: "a" } }, { kind: "unknown", detail: "x" }], "warn", "neutral"],
  ] as const)("%o at %s → %s", (presences, level, conclusion) => {
    expect(judgeRelease(presences.map((presence) => item(presence as Presence)), level).conclusion).toBe(conclusion);
  });
});

describe("commands", () => {
  it("parses the target and the rest", () => {
    expect(targetArgs("  release/1.5  1.5 replaced it ")).toStrictEqual({ target: "release/1.5", rest: "1.5 replaced it" });
    expect(targetArgs("")).toBeNull();
  });

  it("skips a missing or new target with a reason, never a done one", () => {
    const state = reminderState(ROWS);
    expect(skipTarget(state, "release/1.5", SKIP, policy)).toMatchObject({ state: { rows: [ROWS[0], { target: "release/1.5", status: "skipped", skip: SKIP }, ROWS[2]] } });
    expect(skipTarget(state, "release/1.6", SKIP, policy)).toMatchObject({ state: { rows: [...ROWS, { target: "release/1.6", status: "skipped" }] } });
    expect(skipTarget(state, "develop", SKIP, policy)).toStrictEqual({ refused: "`develop` already has hotfix #42; nothing to skip." });
    expect(skipTarget(state, "release/1.5", { ...SKIP, reason: "" }, policy)).toHaveProperty("refused");
    expect(skipTarget(state, "feature/x", SKIP, policy)).toHaveProperty("refused");
  });

  it("backports a missing target, not a done one nor one whose pull request is open", () => {
    const open: Row = { target: "release/1.5", status: "missing", backMerge: { number: 80, head: "h", state: "open", mergeable: null } };
    expect(backportRow(reminderState(ROWS), "release/1.5", policy)).toStrictEqual({ row: { target: "release/1.5", status: "missing" } });
    expect(backportRow(reminderState(ROWS), "develop", policy)).toHaveProperty("refused");
    expect(backportRow(reminderState([open]), "release/1.5", policy)).toHaveProperty("refused");
  });

  it("knows version tags", () => {
    expect(isVersionTag("v1.5.0")).toBe(true);
    expect(isVersionTag("v1.5")).toBe(false);
  });
});
