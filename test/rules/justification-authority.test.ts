/**
 * Who may authorise a bypass at the merge (issue 9, defect 3): authority judged as it was when
 * first judged and kept in the audit's record; bots never authorise; a command in `<details>`, a
 * field that is only an image's alt text and a login that differs under Unicode folding never
 * count; an authorisation withdrawn by deleting or editing its comment re-judges the audit, and
 * the record says so.
 */
import { describe, expect, it } from "vitest";
import { NOW, policyFrom } from "../helpers/builders.js";
import { ADMIN, auditInputs, bodyCandidate, comment, formMarkdown, justificationContext, mergedPr } from "../helpers/audit-builders.js";
import { readAuditRecord } from "../../src/model/records.js";
import { renderAuditComment } from "../../src/render/audit.js";
import {
  isBotAccount,
  loginKey,
  mentionedLogins,
  parseHotfixCommands,
  parseJustification,
  sameLogin,
  validateJustification,
  type JustificationCandidate,
  type JustificationContext,
} from "../../src/rules/justification.js";
import { auditMerge, type AuditInputs } from "../../src/rules/merge-audit.js";
import { type Requirement } from "../../src/model/merge.js";

const policy = policyFrom();
const unmetCheck: Requirement = { source: "github", title: "GitHub: required check `ci`", required: "passing", present: "failure", status: "unmet" };
const AUTHORIZE = comment(7, ADMIN, "/hotfix authorize", "2026-11-23T14:55:00Z");

function verdict(candidate: JustificationCandidate, context: Partial<JustificationContext> = {}) {
  return validateJustification(candidate, justificationContext(context), policy, NOW);
}

function problem(candidate: JustificationCandidate, context: Partial<JustificationContext> = {}): string {
  const found = verdict(candidate, context).checks.find((c) => c.status !== "valid");
  return found ? `${found.aspect}: ${found.detail}` : "valid";
}

function people(permission: string) {
  return { [ADMIN]: { permission, teams: [], notes: [] } };
}

/** Inputs of a run in which the admin's authority reads as `permission` and the given comments exist. */
function run(permission: string, overrides: Partial<AuditInputs> & { comments?: ReturnType<typeof comment>[]; reviews?: [] } = {}): AuditInputs {
  const { comments, reviews, ...rest } = overrides;
  const inputs = auditInputs({ requirements: [unmetCheck], ...rest });
  return { ...inputs, context: { ...inputs.context, people: people(permission), ...(comments ? { comments } : {}), ...(reviews ? { reviews } : {}) } };
}

describe("logins are compared only as GitHub logins", () => {
  it.each([
    { text: "@ADMİN", expected: [] },
    { text: "@sre-admİn", expected: [] },
    { text: "@sre-admin\u212A", expected: [] },
    { text: "@\u212Aelvin", expected: [] },
    { text: "@ａｄｍｉｎ", expected: [] },
    { text: "＠sre-admin", expected: [] },
    { text: "@sre-admin\u200d", expected: [] },
    { text: "@sre-admin\u0301", expected: [] },
    { text: "@renovate[bot]", expected: [] },
    { text: "@acme/admins", expected: [] },
    { text: "(@sre-admin), on call.", expected: ["sre-admin"] },
    { text: "@SRE-Admin and @sre-admin", expected: ["SRE-Admin"] },
  ])("$text names $expected", ({ text, expected }) => {
    expect(mentionedLogins(text)).toStrictEqual(expected);
  });

  it.each([
    { a: "SRE-Admin", b: "sre-admin", same: true },
    { a: "\u212Aaren", b: "karen", same: false },
    { a: "ADMİN", b: "admin", same: false },
    { a: "ａｄｍｉｎ", b: "admin", same: false },
    { a: "deploy[bot]", b: "deploy[bot]", same: false },
    { a: "", b: "", same: false },
  ])("$a and $b are the same user: $same", ({ a, b, same }) => {
    expect(sameLogin(a, b)).toBe(same);
  });

  it("folds only ASCII case", () => {
    expect(loginKey("SRE-Admin")).toBe("sre-admin");
    expect(loginKey("\u212Aaren")).toBeNull();
  });

  it.each([
    { name: "a Kelvin sign after the admin's login", authorizedBy: `@${ADMIN}\u212A` },
    { name: "a dotted capital I", authorizedBy: "@SRE-ADMİN" },
    { name: "fullwidth letters", authorizedBy: "@ｓｒｅ-ａｄｍｉｎ" },
  ])("a form naming the admin with $name names no one", ({ authorizedBy }) => {
    expect(problem(bodyCandidate({ authorizedBy }))).toBe("Authoriser named: Authorized By names no GitHub user: write @login");
  });
});

describe("a bot never authorises", () => {
  it("is told by GitHub's account type or a [bot] login", () => {
    expect(isBotAccount("release-robot", "Bot")).toBe(true);
    expect(isBotAccount("dependabot[bot]")).toBe(true);
    expect(isBotAccount("sre-admin", "User")).toBe(false);
  });

  it("is refused when the form names it", () => {
    expect(problem(bodyCandidate({ authorizedBy: "@renovate[bot]" }))).toBe("Authoriser named: Authorized By names a bot account; a bot never authorises a bypass");
  });

  it("does not confirm with an approving review, even with admin permission", () => {
    const review = { reviewer: ADMIN, reviewerType: "Bot", state: "APPROVED" as const, commitId: null, submittedAt: "2026-11-23T14:40:00Z" };
    expect(problem(bodyCandidate(), { reviews: [review] })).toMatch(/^Authoriser confirmed: @sre-admin neither approved/);
  });

  it("does not confirm with a /hotfix authorize comment", () => {
    const botComment = { ...AUTHORIZE, authorType: "Bot" };
    expect(problem(bodyCandidate(), { reviews: [], comments: [botComment] })).toMatch(/^Authoriser confirmed: @sre-admin neither approved/);
  });
});

describe("text no reader sees does not count", () => {
  it.each([
    { name: "inside <details>", body: "<details>\n<summary>ok</summary>\n\n/hotfix authorize\n\n</details>" },
    { name: "inside <details> with no summary", body: "<details>\n\n/hotfix authorize\n\n</details>" },
    { name: "inside a hidden <div>", body: '<div hidden>\n\n/hotfix authorize\n\n</div>' },
    { name: "inside an unclosed <details>", body: "<details>\n\n/hotfix authorize" },
    { name: "inside inline HTML in a paragraph", body: "Noted <span>\n/hotfix authorize\n</span>" },
  ])("a command $name is not given", ({ body }) => {
    expect(parseHotfixCommands(body)).toStrictEqual([]);
    expect(problem(bodyCandidate(), { reviews: [], comments: [comment(7, ADMIN, body, "2026-11-23T14:55:00Z")] })).toMatch(/^Authoriser confirmed: /);
  });

  it.each([
    { body: "<details><summary>log</summary>x</details>\n\n/hotfix authorize", expected: ["authorize"] },
    { body: "Line one<br>\n\n/hotfix authorize", expected: ["authorize"] },
    { body: "<details>\n</b>\n\n/hotfix authorize", expected: [] },
  ])("a command after closed, void or stray HTML: $body", ({ body, expected }) => {
    expect(parseHotfixCommands(body)).toStrictEqual(expected);
  });

  it.each([
    { name: "a bold field in alt text", line: `![**Authorized By:** @${ADMIN}](x.png)` },
    { name: "a plain field in alt text", line: `![Authorized By: @${ADMIN}](x.png)` },
  ])("$name is not the Authorized By field", ({ line }) => {
    const markdown = formMarkdown().replace(`**Authorized By:** @${ADMIN}`, line);
    expect(parseJustification(markdown)?.authorizedBy).toBe("");
  });
});

describe("authority as first judged", () => {
  it("keeps the authoriser's permission in the record", () => {
    const first = auditMerge(run("admin"), policy, NOW);
    expect(first.justified).toBe(true);
    expect(first.record.authorities).toStrictEqual({ [ADMIN]: { permission: "admin", teams: [], at: NOW.toISOString() } });
  });

  it("a later promotion does not validate an authorisation the authoriser could not give", () => {
    const first = auditMerge(run("write"), policy, NOW);
    expect(first.justified).toBe(false);
    const later = auditMerge(run("admin", { recorded: first.record }), policy, new Date("2026-11-23T15:30:00Z"));
    expect(later.justified).toBe(false);
    expect(later.justification?.verdict.checks.find((c) => c.aspect === "Authoriser's authority")?.detail).toBe(
      "@sre-admin has write permission; only repository administrators may authorise a bypass",
    );
  });

  it("a later demotion does not undo the authority the authoriser had", () => {
    const incomplete = bodyCandidate({ riskAssessment: "" });
    const first = auditMerge(run("admin", { candidates: [incomplete] }), policy, NOW);
    expect(first.justified).toBe(false);
    const fixed = auditMerge(run("write", { recorded: first.record }), policy, new Date("2026-11-23T15:30:00Z"));
    expect(fixed.justified).toBe(true);
  });

  it("reads back from the audit comment with what the verdict stood on", () => {
    const audit = auditMerge(run("admin", { reviews: [], comments: [AUTHORIZE] }), policy, NOW);
    const body = renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
    expect(readAuditRecord(body)).toStrictEqual(audit.record);
    expect(audit.record.justification?.verdict.confirmation).toStrictEqual({ kind: "comment", login: ADMIN, id: 7, at: AUTHORIZE.createdAt });
  });
});

describe("an authorisation withdrawn after the audit", () => {
  const first = auditMerge(run("admin", { reviews: [], comments: [AUTHORIZE] }), policy, NOW);

  it.each([
    { name: "deleted", comments: [], says: "authorisation by @sre-admin withdrawn: their `/hotfix authorize` comment of 2026-11-23 14:55 UTC was deleted (noticed 2026-11-23 16:00 UTC)" },
    {
      name: "edited",
      comments: [{ ...AUTHORIZE, body: "/hotfix authorize\n\n(edited)", updatedAt: "2026-11-23T15:40:00Z" }],
      says: "authorisation by @sre-admin withdrawn: their `/hotfix authorize` comment of 2026-11-23 14:55 UTC was edited after the audit (at 2026-11-23 15:40 UTC)",
    },
  ])("re-judges the audit when the comment is $name, and the record says so", ({ comments, says }) => {
    expect(first.justified).toBe(true);
    const later = auditMerge(run("admin", { reviews: [], comments, recorded: first.record }), policy, new Date("2026-11-23T16:00:00Z"));
    expect(later).toMatchObject({ justified: false, needsAuditIssue: true, withdrawals: [says] });
    expect(later.record.withdrawals).toStrictEqual([says]);
    const body = renderAuditComment({ repo: "acme/payments", pr: mergedPr(), audit: later, policy, auditIssue: { status: "not-needed" }, followUp: { status: "not-needed" }, labelProblems: [] });
    expect(body).toContain("**Authorisation withdrawn:** authorisation by @\u200bsre-admin withdrawn");
    const again = auditMerge(run("admin", { reviews: [], comments, recorded: later.record }), policy, new Date("2026-11-23T16:05:00Z"));
    expect(again.withdrawals).toStrictEqual([says]);
  });

  it("stands while the comment is unchanged, and an approval by the same admin keeps it justified", () => {
    expect(auditMerge(run("admin", { reviews: [], comments: [AUTHORIZE], recorded: first.record }), policy, new Date("2026-11-23T16:00:00Z")).justified).toBe(true);
    const approved = auditMerge(run("admin", { comments: [], recorded: first.record }), policy, new Date("2026-11-23T16:00:00Z"));
    expect(approved.justified).toBe(true);
    expect(approved.withdrawals).toHaveLength(1);
  });
});
