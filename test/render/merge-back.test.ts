/**
 * The reminder as the team reads it, and as the app reads it back: rows, commands, hostile text,
 * GitHub's size limit, and a state that survives the round trip through the issue body.
 */
import { describe, expect, it } from "vitest";
import { parseReminder } from "../../src/model/records.js";
import { renderBackMergePullRequest, renderReminderBody, renderReminderTitle } from "../../src/render/merge-back.js";
import type { Row } from "../../src/model/merge-back.js";
import { HEAD_SHA } from "../helpers/builders.js";
import { MERGE_SHA, reminderBody, reminderState } from "../helpers/merge-back-fixtures.js";

const ROWS: Row[] = [
  { target: "develop", status: "done", evidence: { via: "pull-request", number: 50 } },
  { target: "release/1.3", status: "missing", backMerge: { number: 51, head: "hotfix/v1.4.3-default-currency", state: "open", mergeable: false, conflicts: { files: ["src/pay.ts"], total: 1 } } },
  { target: "release/1.4", status: "missing", backMergeError: "HTTP 403: Resource not accessible by integration" },
  { target: "release/2.0", status: "absent" },
];

describe("the reminder issue", () => {
  it("round-trips its state through the body", () => {
    const state = reminderState(ROWS, { escalatedAt: "2026-11-24T15:00:00Z" }, { method: "squash-or-rebase" });
    expect(parseReminder(reminderBody(state))).toStrictEqual(state);
  });

  it("has a row per target: ticked with how, missing with why and the commands, skipped when absent", () => {
    const body = reminderBody(reminderState(ROWS, {}, { method: "squash-or-rebase" }));
    expect(body.startsWith("<!-- hotfix-guard:merge-back pr=42 -->\n")).toBe(true);
    expect(body).toContain("- [x] **`develop`**: has the fix: merged through #50.");
    expect(body).toContain(
      `- [ ] **\`release/1.3\`**: missing: neither the hotfix's head commit \`${HEAD_SHA.slice(0, 7)}\` nor its merge commit \`${MERGE_SHA.slice(0, 7)}\` is in \`release/1.3\``,
    );
    expect(body).toContain("⚠️ Back-merge pull request #51 cannot be merged cleanly: GitHub reports conflicts. Files changed on both sides, where the conflicts are: `src/pay.ts`.");
    expect(body).toContain("❌ Opening the back-merge pull request failed: HTTP 403: Resource not accessible by integration.");
    expect(body).toContain("- ➖ **`release/2.0`**: skipped: configured as a target, but no such branch exists.");
    expect(body).toContain(["  git checkout release/1.4", "  git pull origin release/1.4", "  git fetch origin pull/42/head", "  git merge --no-ff FETCH_HEAD -m 'Merge hotfix #42 into release/1.4'"].join("\n"));
    expect(renderReminderTitle(reminderState(ROWS))).toBe("Back-merge hotfix #42 into release/1.3, release/1.4");
  });

  it("defuses a hostile title and quotes hostile branch names in commands", () => {
    const title = "@everyone `x` <!-- hotfix-guard:merge-back pr=7 --> [link](http://evil)";
    const state = reminderState([{ target: "release/1.3;rm -rf ~", status: "missing" }], {}, { title });
    const body = reminderBody(state);
    expect(body).not.toContain("@everyone");
    expect(body).not.toContain("<!-- hotfix-guard:merge-back pr=7");
    expect(body).toContain("git checkout 'release/1.3;rm -rf ~'");
    expect(parseReminder(body)?.hotfix.title).toBe(title);
    expect(renderBackMergePullRequest(state, "develop", 77).body).not.toContain("@everyone");
  });

  it("stays under GitHub's 65,536 characters and keeps its state whole", () => {
    const rows: Row[] = Array.from({ length: 400 }, (_, i) => ({ target: `release/${i}.0`, status: "missing" }));
    const state = reminderState(rows);
    const body = renderReminderBody(state, new Date("2026-11-24T14:50:00Z"));
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("…(cut: the rest does not fit in GitHub's limit for this text)");
    expect(parseReminder(body)?.rows).toHaveLength(400);
  });

  it.each([
    { name: "no marker on the first line", body: (b: string) => `quoted:\n${b}` },
    { name: "a state for another pull request", body: (b: string) => b.replace("pr=42 -->", "pr=7 -->") },
    { name: "a state that does not validate", body: (b: string) => b.replace('"version":1', '"version":2') },
    { name: "text after the state", body: (b: string) => `${b}\n\nedited` },
  ])("is not read back with $name", ({ body }) => {
    expect(parseReminder(body(reminderBody(reminderState(ROWS))))).toBeNull();
  });
});
