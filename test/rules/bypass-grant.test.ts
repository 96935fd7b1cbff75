/**
 * The bypass state machine, table-driven and pure: every spoof a user could try (the author
 * granting their own bypass, a non-admin, an edited or hidden command, a bot, a forged record of
 * the commit) counts for nothing and says why; grants expire, bind to a commit and are revoked
 * by a later denial; the check-run rows show it all.
 */
import { describe, expect, it } from "vitest";
import { grantDuration, grantExpiry, judgeBypass } from "../../src/rules/bypass-grant.js";
import { justificationPreviewRule } from "../../src/rules/justification-preview.js";
import { evaluateHotfix } from "../../src/rules/index.js";
import { grantBindingMarker } from "../../src/model/records.js";
import type { BypassFacts } from "../../src/model/bypass.js";
import type { CommentFact } from "../../src/model/merge.js";
import { ADMIN, AUTHOR, PEOPLE, comment, formMarkdown } from "../helpers/audit-builders.js";
import { COMPLETE_BODY, HEAD_SHA, policyFrom, snapshot } from "../helpers/builders.js";

const OWN = "hotfix-guard[bot]";
const OLD_SHA = "0".repeat(40);
const policy = policyFrom();
const AT = (hhmm: string) => `2026-11-23T${hhmm}:00Z`;
const people = { ...PEOPLE, [AUTHOR]: { permission: "write", teams: [], notes: [] } };

function grantAt(id: number, by: string, hhmm: string, args = "", sha = HEAD_SHA): CommentFact[] {
  return [comment(id, by, `/hotfix grant-bypass${args ? ` ${args}` : ""}`, AT(hhmm)), comment(id + 1000, OWN, `Bypass granted\n\n${grantBindingMarker(id, sha)}`, AT(hhmm))];
}

function judge(comments: CommentFact[], now = AT("14:30"), headSha = HEAD_SHA, extra: Partial<BypassFacts> = {}) {
  return judgeBypass({ comments, ownLogin: OWN, people, author: AUTHOR, headSha, ...extra }, policy, new Date(now));
}

const request = comment(1, AUTHOR, "/hotfix request-bypass Production completely down", AT("13:50"));

describe("judgeBypass: what counts", () => {
  it("a request by the author with an allowed reason, then an admin's grant: granted until two hours later, for the head commit", () => {
    const state = judge([request, ...grantAt(2, ADMIN, "14:00")]);
    expect(state.status).toBe("granted");
    expect(state.summary).toBe(`bypass granted by @${ADMIN} at 2026-11-23 14:00 UTC, until 2026-11-23 16:00 UTC, for commit ${HEAD_SHA.slice(0, 7)}`);
    expect(state.grant).toStrictEqual({ login: ADMIN, commentId: 2, at: AT("14:00"), until: "2026-11-23T16:00:00.000Z", sha: HEAD_SHA });
    expect(state.commands.map((c) => c.counted)).toStrictEqual([true, true]);
  });

  it("a request alone: requested, waiting for an authoriser", () => {
    expect(judge([request])).toMatchObject({ status: "requested", summary: expect.stringContaining('bypass requested by @dev-alice at 2026-11-23 13:50 UTC ("Production completely down")') });
  });

  it("a duration is honoured and capped at max_hours", () => {
    expect(judge(grantAt(2, ADMIN, "14:00", "30m")).grant?.until).toBe("2026-11-23T14:30:00.000Z");
    const capped = judge(grantAt(2, ADMIN, "14:00", "48h"));
    expect(capped.grant?.until).toBe("2026-11-23T22:00:00.000Z");
    expect(capped.commands[0]?.why).toContain("capped at bypass.grants.max_hours, 8 h");
    expect(grantDuration("soon", policy)).toStrictEqual({ problem: '"soon" is not a duration: write, for example, 2h, 90m or 1h30m' });
    expect(grantDuration("1h30m", policy)).toStrictEqual({ ms: 90 * 60_000, capped: false });
  });
});

describe("judgeBypass: spoofs count for nothing, and say why", () => {
  const cases: { name: string; comments: CommentFact[]; status: string; why: string | RegExp; now?: string; headSha?: string }[] = [
    { name: "the author grants their own bypass", comments: grantAt(2, AUTHOR, "14:00"), status: "none", why: "the pull request's author cannot grant or deny a bypass of their own hotfix" },
    { name: "a non-admin grants", comments: grantAt(2, "senior-bob", "14:00"), status: "none", why: "@senior-bob has write permission; only repository administrators may authorise a bypass" },
    { name: "someone whose permission could not be read grants", comments: grantAt(2, "stranger", "14:00"), status: "none", why: "could not read @stranger's permission on the repository" },
    {
      name: "an edited grant",
      comments: [comment(2, ADMIN, "/hotfix grant-bypass", AT("14:00"), AT("14:10")), comment(1002, OWN, grantBindingMarker(2, HEAD_SHA), AT("14:00"))],
      status: "none",
      why: "the comment was edited at 2026-11-23 14:10 UTC, after it was written; an edited command counts for nothing",
    },
    { name: "a grant in a quote", comments: [comment(2, ADMIN, "> /hotfix grant-bypass", AT("14:00"))], status: "none", why: "" },
    { name: "a grant in a code block", comments: [comment(2, ADMIN, "```\n/hotfix grant-bypass\n```", AT("14:00"))], status: "none", why: "" },
    { name: "a grant in an HTML comment", comments: [comment(2, ADMIN, "<!--\n/hotfix grant-bypass\n-->", AT("14:00"))], status: "none", why: "" },
    { name: "a grant inside <details>", comments: [comment(2, ADMIN, "<details>\n\n/hotfix grant-bypass\n\n</details>", AT("14:00"))], status: "none", why: "" },
    {
      name: "a bot's grant",
      comments: [{ ...comment(2, "deploy-bot[bot]", "/hotfix grant-bypass", AT("14:00")), authorType: "Bot" }, comment(1002, OWN, grantBindingMarker(2, HEAD_SHA), AT("14:00"))],
      status: "none",
      why: "written by a bot; a bot's command never counts",
    },
    {
      name: "an admin's grant whose commit record was forged by a user",
      comments: [comment(2, ADMIN, "/hotfix grant-bypass", AT("14:00")), comment(3, AUTHOR, grantBindingMarker(2, HEAD_SHA), AT("14:01"))],
      status: "none",
      why: /has not recorded which commit it is for/,
    },
    { name: "a grant after it expired (fake clock at 16:01)", comments: grantAt(2, ADMIN, "14:00"), status: "expired", why: "", now: AT("16:01") },
    { name: "a grant for an older commit, after a push", comments: grantAt(2, ADMIN, "14:00", "", OLD_SHA), status: "other-commit", why: "" },
    { name: "a grant then a denial", comments: [...grantAt(2, ADMIN, "14:00"), comment(4, ADMIN, "/hotfix deny-bypass staging shows the fix is wrong", AT("14:10"))], status: "denied", why: "" },
    { name: "a request with a reason not allowed", comments: [comment(1, AUTHOR, "/hotfix request-bypass the release is late", AT("13:50"))], status: "none", why: /"the release is late" is not an allowed reason/ },
    { name: "a request by a user without write access", comments: [comment(1, "intern-ivy", "/hotfix request-bypass Production completely down", AT("13:50"))], status: "none", why: /@intern-ivy has read permission; only the pull request's author or a collaborator with write access may request a bypass/ },
  ];

  it.each(cases)("$name", ({ comments, status, why, now, headSha }) => {
    const state = judge(comments, now, headSha);
    expect(state.status).toBe(status);
    if (why === "") return;
    expect(state.commands[0]?.counted).toBe(false);
    expect(state.commands[0]?.why).toMatch(why);
  });

  it("the expired and older-commit states say why the grant counts for nothing", () => {
    expect(judge(grantAt(2, ADMIN, "14:00"), AT("16:01")).summary).toBe(`bypass granted by @${ADMIN} at 2026-11-23 14:00 UTC expired at 2026-11-23 16:00 UTC`);
    expect(judge(grantAt(2, ADMIN, "14:00", "", OLD_SHA)).summary).toContain(`for commit 0000000, but the head is now ${HEAD_SHA.slice(0, 7)}: a push needs a new grant`);
  });

  it("a command written after the moment judged is left out (the audit judges at the merge)", () => {
    expect(judge(grantAt(2, ADMIN, "15:00"), AT("14:50")).commands).toStrictEqual([]);
  });
});

describe("check-run rows", () => {
  const withBypass = (comments: CommentFact[], body = COMPLETE_BODY) => snapshot({ author: AUTHOR, body, bypass: { comments, ownLogin: OWN, people } });

  it("a request shows as a warning row and in the title's words", () => {
    const evaluation = evaluateHotfix(withBypass([request]), policy, new Date(AT("14:00")));
    const row = evaluation.findings.find((f) => f.rule === "bypass-grant");
    expect(row).toMatchObject({ title: "Bypass requested", status: "warn" });
    expect(evaluation.findings.find((f) => f.rule === "justification-preview")).toMatchObject({ status: "warn", actual: expect.stringContaining("no justification form yet") });
  });

  it("no bypass commands and no form: neither row", () => {
    const evaluation = evaluateHotfix(withBypass([]), policy, new Date(AT("14:00")));
    expect(evaluation.findings.filter((f) => f.rule === "bypass-grant" || f.rule === "justification-preview")).toStrictEqual([]);
  });

  it("the justification before the merge: a form naming a non-admin, with a reason not allowed and a bad timestamp, lists each problem", () => {
    const body = `${COMPLETE_BODY}\n${formMarkdown({ authorizedBy: "@senior-bob", bypassReason: "we were in a hurry", timestamp: "yesterday" })}`;
    const [row] = justificationPreviewRule(withBypass([], body), policy, new Date(AT("14:00")));
    expect(row?.status).toBe("warn");
    expect(row?.actual).toContain("Allowed reason");
    expect(row?.actual).toContain('"we were in a hurry" does not start with exactly one allowed reason');
    expect(row?.actual).toContain("Timestamp is a real time: no real time with a time zone");
    expect(row?.actual).toContain("only repository administrators may authorise a bypass");
  });

  it("a complete form confirmed by the standing grant passes", () => {
    const body = `${COMPLETE_BODY}\n${formMarkdown({ timestamp: "2026-11-23 14:05 UTC" })}`;
    const [row] = justificationPreviewRule(withBypass(grantAt(2, ADMIN, "14:00"), body), policy, new Date(AT("14:20")));
    expect(row).toMatchObject({ status: "pass", actual: expect.stringContaining(`@${ADMIN} granted the bypass`) });
  });
});

describe("grantExpiry: the re-check at the grant's end", () => {
  it("is one second after a standing grant runs out, and none once it has", () => {
    const withGrant = snapshot({ author: AUTHOR, bypass: { comments: grantAt(2, ADMIN, "14:00"), ownLogin: OWN, people } });
    expect(grantExpiry(withGrant, policy, new Date(AT("14:30")))?.toISOString()).toBe("2026-11-23T16:00:01.000Z");
    expect(grantExpiry(withGrant, policy, new Date(AT("16:05")))).toBeNull();
  });
});
