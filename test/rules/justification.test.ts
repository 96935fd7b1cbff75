/**
 * The emergency bypass justification: reading the form, the command, the timestamp, and every
 * check that makes a justification valid. The spoof attempts come first: a form that names an
 * admin proves nothing until that admin verifiably acted.
 */
import { describe, expect, it } from "vitest";
import { NOW, policyFrom } from "../helpers/builders.js";
import {
  ADMIN,
  ADMIN_APPROVAL,
  AUTHOR,
  MERGED_AT,
  VALID_FIELDS,
  bodyCandidate,
  comment,
  formMarkdown,
  justificationContext,
} from "../helpers/audit-builders.js";
import {
  fingerprintFields,
  justificationCandidates,
  mentionedLogins,
  parseHotfixCommandLines,
  parseHotfixCommands,
  parseJustification,
  parseTimestamp,
  validateJustification,
  type JustificationCandidate,
  type JustificationContext,
} from "../../src/rules/justification.js";

const policy = policyFrom();

function verdictOf(candidate: JustificationCandidate, context: Partial<JustificationContext> = {}, options: { now?: Date; config?: unknown } = {}) {
  return validateJustification(candidate, justificationContext(context), options.config ? policyFrom(options.config) : policy, options.now ?? NOW);
}

function failing(candidate: JustificationCandidate, context: Partial<JustificationContext> = {}, options: { now?: Date; config?: unknown } = {}) {
  const verdict = verdictOf(candidate, context, options);
  return { valid: verdict.valid, problems: verdict.checks.filter((c) => c.status !== "valid").map((c) => `${c.status}: ${c.aspect}: ${c.detail}`) };
}

describe("reading the form", () => {
  it("reads the six fields under the EMERGENCY BYPASS JUSTIFICATION heading", () => {
    expect(parseJustification(formMarkdown())).toStrictEqual(VALID_FIELDS);
  });

  it.each([
    { name: "no heading, fields with a Bypass Reason", markdown: formMarkdown().split("\n").slice(2).join("\n"), expected: VALID_FIELDS },
    { name: "the British spelling Authorised By", markdown: formMarkdown().replace("Authorized By", "Authorised By"), expected: VALID_FIELDS },
    { name: "the heading without its emoji, in another level", markdown: formMarkdown().replace("## 🚨 ", "### "), expected: VALID_FIELDS },
  ])("reads $name", ({ markdown, expected }) => {
    expect(parseJustification(markdown)).toStrictEqual(expected);
  });

  it.each([
    { name: "a description without the form", markdown: "## Issue\nCheckout is down.\n**Risk Assessment:** low" },
    { name: "the form inside a fenced code block", markdown: `\`\`\`markdown\n${formMarkdown()}\`\`\`\n` },
    { name: "the form inside an HTML comment", markdown: `<!--\n${formMarkdown()}-->\n` },
    { name: "an empty body", markdown: "" },
    { name: "null", markdown: null },
  ])("finds no form in $name", ({ markdown }) => {
    expect(parseJustification(markdown)).toBeNull();
  });

  it("does not read a field that sits in an HTML comment under the heading", () => {
    const fields = parseJustification(formMarkdown({ authorizedBy: "<!-- @sre-admin -->" }));
    expect(fields?.authorizedBy).toBe("");
  });

  it("only reads fields under the form's heading, not the PR template's Risk Assessment", () => {
    const markdown = `### Risk Assessment\n**Risk Assessment:** from the template\n\n${formMarkdown({ riskAssessment: "from the form" })}`;
    expect(parseJustification(markdown)?.riskAssessment).toBe("from the form");
  });

  it("skips the app's own comments and keeps the description first", () => {
    const found = justificationCandidates(formMarkdown(), [comment(1, "hotfix-guard[bot]", formMarkdown(), MERGED_AT), comment(2, "ops", formMarkdown({ incident: "INC-2" }), MERGED_AT)], "hotfix-guard[bot]");
    expect(found.map((c) => (c.source.kind === "body" ? "body" : c.source.id))).toStrictEqual(["body", 2]);
    expect(found[1]?.fingerprint).toBe(fingerprintFields({ ...VALID_FIELDS, incident: "INC-2" }));
  });
});

describe("the /hotfix command", () => {
  it.each([
    { body: "/hotfix authorize", expected: ["authorize"] },
    { body: "Confirmed.\n\n/HOTFIX Authorize\n", expected: ["authorize"] },
    { body: "/hotfix", expected: [""] },
    { body: "/hotfix approve", expected: ["approve"] },
    { body: "> /hotfix authorize", expected: [] },
    { body: "```\n/hotfix authorize\n```", expected: [] },
    { body: "    /hotfix authorize", expected: [] },
    { body: "<!--\n/hotfix authorize\n-->", expected: [] },
    { body: "text <!-- \n/hotfix authorize\n --> more", expected: [] },
    { body: "- /hotfix authorize", expected: [] },
    { body: "`/hotfix authorize`", expected: [] },
    { body: "please /hotfix authorize", expected: [] },
    { body: "/hotfix authorize @sre-admin", expected: [] },
  ])("$body → $expected", ({ body, expected }) => {
    expect(parseHotfixCommands(body)).toStrictEqual(expected);
  });

  it.each([
    { body: "/hotfix request-bypass production-down", expected: [{ name: "request-bypass", args: "production-down" }] },
    { body: "/hotfix Skip-Merge-Back release/2.4   code replaced by #88  ", expected: [{ name: "skip-merge-back", args: "release/2.4   code replaced by #88" }] },
    { body: "/hotfix authorize", expected: [{ name: "authorize", args: "" }] },
    { body: "> /hotfix grant-bypass 1h", expected: [] },
    { body: "```\n/hotfix backport develop\n```", expected: [] },
    { body: "<details>\n\n/hotfix grant-bypass\n\n</details>", expected: [] },
    { body: `/hotfix deny-bypass ${"x".repeat(501)}`, expected: [] },
  ])("with arguments: $body", ({ body, expected }) => {
    expect(parseHotfixCommandLines(body)).toStrictEqual(expected);
  });
});

describe("timestamps", () => {
  it.each([
    { text: "2026-11-23 14:45 UTC", expected: "2026-11-23T14:45:00.000Z" },
    { text: "2026-11-23T14:45:30Z", expected: "2026-11-23T14:45:30.000Z" },
    { text: "2026-11-23 15:45 +01:00 (during the outage)", expected: "2026-11-23T14:45:00.000Z" },
    { text: "2026-11-23 09:45 -0500", expected: "2026-11-23T14:45:00.000Z" },
    { text: "2024-02-29 00:00 GMT", expected: "2024-02-29T00:00:00.000Z" },
    { text: "2026-11-23 14:45", expected: null },
    { text: "2026-02-30 10:00 UTC", expected: null },
    { text: "2026-11-23 24:00 UTC", expected: null },
    { text: "2026-11-23 14:45 +15:00", expected: null },
    { text: "[When bypass was used]", expected: null },
    { text: "yesterday afternoon", expected: null },
  ])("$text → $expected", ({ text, expected }) => {
    expect(parseTimestamp(text)?.toISOString() ?? null).toBe(expected);
  });
});

describe("logins named", () => {
  it.each([
    { text: "@sre-admin", expected: ["sre-admin"] },
    { text: "Jane Admin (@Jane-Admin), on call", expected: ["Jane-Admin"] },
    { text: "@a and @b and @A", expected: ["a", "b"] },
    { text: "jane@example.com", expected: [] },
    { text: "`@sre-admin`", expected: [] },
    { text: "Jane Admin", expected: [] },
  ])("$text → $expected", ({ text, expected }) => {
    expect(mentionedLogins(text)).toStrictEqual(expected);
  });
});

describe("a valid justification", () => {
  it("holds when every field is filled, the reason allowed and the admin approved before the merge", () => {
    const verdict = verdictOf(bodyCandidate());
    expect(verdict).toMatchObject({ valid: true, authoriser: ADMIN });
    expect(verdict.checks.every((c) => c.status === "valid")).toBe(true);
  });

  it("holds when the admin confirmed with their own, never edited /hotfix authorize comment", () => {
    const confirm = comment(7, ADMIN, "/hotfix authorize", "2026-11-23T14:55:00Z");
    expect(verdictOf(bodyCandidate(), { reviews: [], comments: [confirm] }).valid).toBe(true);
  });

  it("holds for a configured authoriser team member, without admin permission", () => {
    const config = { bypass: { authorizers: { teams: ["acme/incident-commanders"] } } };
    const people = { [ADMIN]: { permission: "write", teams: ["acme/incident-commanders"], notes: [] } };
    expect(verdictOf(bodyCandidate(), { people }, { config }).valid).toBe(true);
  });

  it("holds for a justification comment written after the merge within the window, confirmed after it", () => {
    const form = comment(5, AUTHOR, formMarkdown(), "2026-11-23T15:10:00Z");
    const confirm = comment(6, ADMIN, "/hotfix authorize", "2026-11-23T15:20:00Z");
    const [candidate] = justificationCandidates("", [form], "hotfix-guard[bot]");
    expect(verdictOf(candidate as JustificationCandidate, { reviews: [], comments: [form, confirm] }, { now: new Date("2026-11-23T15:21:00Z") }).valid).toBe(true);
  });
});

describe("spoofed or unverifiable authority", () => {
  it.each([
    {
      name: "the author names themselves",
      candidate: bodyCandidate({ authorizedBy: `@${AUTHOR}` }),
      context: { reviews: [], comments: [comment(3, AUTHOR, "/hotfix authorize", "2026-11-23T14:45:00Z")] },
      problem: /invalid: Authoriser is not the author: @dev-alice opened the pull request/,
    },
    {
      name: "the author names an admin and comments /hotfix authorize themselves",
      candidate: bodyCandidate(),
      context: { reviews: [], comments: [comment(3, AUTHOR, `/hotfix authorize\n\nAuthorized By: @${ADMIN}`, "2026-11-23T14:45:00Z")] },
      problem: /invalid: Authoriser confirmed: @sre-admin neither approved the pull request nor commented `\/hotfix authorize`/,
    },
    {
      name: "the admin never acted",
      candidate: bodyCandidate(),
      context: { reviews: [] },
      problem: /invalid: Authoriser confirmed: @sre-admin neither approved/,
    },
    {
      name: "the admin's /hotfix authorize comment was edited",
      candidate: bodyCandidate(),
      context: { reviews: [], comments: [comment(3, ADMIN, "/hotfix authorize", "2026-11-23T14:45:00Z", "2026-11-23T14:46:00Z")] },
      problem: /invalid: Authoriser confirmed: @sre-admin's `\/hotfix authorize` comment was edited/,
    },
    {
      name: "the admin's command sits in a code block",
      candidate: bodyCandidate(),
      context: { reviews: [], comments: [comment(3, ADMIN, "Use:\n\n```\n/hotfix authorize\n```", "2026-11-23T14:45:00Z")] },
      problem: /invalid: Authoriser confirmed/,
    },
    {
      name: "the admin's command sits in an HTML comment",
      candidate: bodyCandidate(),
      context: { reviews: [], comments: [comment(3, ADMIN, "<!-- /hotfix authorize -->", "2026-11-23T14:45:00Z")] },
      problem: /invalid: Authoriser confirmed/,
    },
    {
      name: "the named authoriser has write permission only",
      candidate: bodyCandidate({ authorizedBy: "@senior-bob" }),
      context: { reviews: [{ ...ADMIN_APPROVAL, reviewer: "senior-bob" }] },
      problem: /invalid: Authoriser's authority: @senior-bob has write permission; only repository administrators/,
    },
    {
      name: "the authoriser's permission could not be read",
      candidate: bodyCandidate({ authorizedBy: "@stranger" }),
      context: { reviews: [{ ...ADMIN_APPROVAL, reviewer: "stranger" }] },
      problem: /unverified: Authoriser's authority: could not read @stranger's permission/,
    },
    {
      name: "the authoriser is named without @",
      candidate: bodyCandidate({ authorizedBy: "Sre Admin" }),
      context: {},
      problem: /invalid: Authoriser named: Authorized By names no GitHub user/,
    },
    {
      name: "two authorisers are named",
      candidate: bodyCandidate({ authorizedBy: "@sre-admin and @senior-bob" }),
      context: {},
      problem: /invalid: Authoriser named: Authorized By names 2 users/,
    },
    {
      name: "the admin approved, then dismissed their review, before the merge",
      candidate: bodyCandidate(),
      context: { reviews: [ADMIN_APPROVAL, { ...ADMIN_APPROVAL, state: "DISMISSED" as const, submittedAt: "2026-11-23T14:45:00Z" }] },
      problem: /invalid: Authoriser confirmed/,
    },
    {
      name: "the admin confirmed after the window",
      candidate: bodyCandidate(),
      context: { reviews: [], comments: [comment(3, ADMIN, "/hotfix authorize", "2026-11-23T16:00:00Z")] },
      problem: /invalid: Authoriser confirmed: @sre-admin's confirmation came outside the window/,
    },
  ])("not valid when $name", ({ candidate, context, problem }) => {
    const result = failing(candidate, context);
    expect(result.valid).toBe(false);
    expect(result.problems.join("\n")).toMatch(problem);
  });

  it("does not let an approval given before a justification comment confirm it", () => {
    const form = comment(5, AUTHOR, formMarkdown(), "2026-11-23T14:45:00Z");
    const [candidate] = justificationCandidates("", [form], "hotfix-guard[bot]");
    const result = failing(candidate as JustificationCandidate, { reviews: [ADMIN_APPROVAL], comments: [form] });
    expect(result.problems.join("\n")).toMatch(/Authoriser confirmed: @sre-admin's confirmation came outside the window/);
  });

  it("does not let a confirmation cover a justification comment edited after it", () => {
    const form = comment(5, AUTHOR, formMarkdown(), "2026-11-23T14:41:00Z", "2026-11-23T14:49:00Z");
    const confirm = comment(6, ADMIN, "/hotfix authorize", "2026-11-23T14:42:00Z");
    const [candidate] = justificationCandidates("", [form], "hotfix-guard[bot]");
    expect(failing(candidate as JustificationCandidate, { reviews: [], comments: [form, confirm] }).valid).toBe(false);
  });

  it("reports an unreadable authoriser team as not verified", () => {
    const config = { bypass: { authorizers: { teams: ["acme/incident-commanders"] } } };
    const people = { [ADMIN]: { permission: "admin", teams: [], notes: ["membership of acme/incident-commanders could not be read (HTTP 403; the app needs the Members read permission)"] } };
    const result = failing(bodyCandidate(), { people }, { config });
    expect(result.problems.join("\n")).toMatch(/unverified: Authoriser's authority: could not verify @sre-admin's membership/);
  });
});

describe("the fields", () => {
  it.each([
    { name: "a field left as the template placeholder", fields: { riskAssessment: "[What risks are accepted]" }, problem: /Risk Assessment: still the template's \[placeholder\]/ },
    { name: "a missing field", fields: { postIncidentActions: "" }, problem: /Post-Incident Actions: missing or empty/ },
    { name: "TBD", fields: { incident: "TBD" }, problem: /Incident: not an answer/ },
    { name: "a reason that is not allowed", fields: { bypassReason: "We were in a hurry" }, problem: /Allowed reason: "We were in a hurry" does not start with exactly one allowed reason/ },
    {
      name: "the README's reason placeholder naming every reason",
      fields: { bypassReason: "[No reviewer available within 2 hours | Production completely down | Security actively exploited]" },
      problem: /Bypass Reason: still the template's \[placeholder\]/,
    },
    { name: "a timestamp without a time zone", fields: { timestamp: "2026-11-23 14:45" }, problem: /Timestamp is a real time: no real time with a time zone/ },
    { name: "a timestamp after the merge plus the window", fields: { timestamp: "2026-11-23 16:00 UTC" }, problem: /Timestamp is a real time: 2026-11-23 16:00 UTC is after the merge plus the window/ },
  ])("rejects $name", ({ fields, problem }) => {
    const result = failing(bodyCandidate(fields));
    expect(result.valid).toBe(false);
    expect(result.problems.join("\n")).toMatch(problem);
  });

  it("accepts an allowed reason followed by an explanation, without case or punctuation", () => {
    expect(verdictOf(bodyCandidate({ bypassReason: "PRODUCTION COMPLETELY DOWN: every checkout fails" })).valid).toBe(true);
  });

  it("does not count a description form first read after the window, unless an earlier audit saw it unchanged", () => {
    const late = new Date("2026-11-23T16:00:00Z");
    expect(failing(bodyCandidate(), {}, { now: late }).problems.join("\n")).toMatch(/Recorded in time: in the description, but first read after/);
    expect(verdictOf(bodyCandidate(), { bodyFormSeenBefore: true }, { now: late }).valid).toBe(true);
  });

  it("does not count a justification comment written after the window", () => {
    const form = comment(5, AUTHOR, formMarkdown(), "2026-11-23T16:00:00Z");
    const [candidate] = justificationCandidates("", [form], "hotfix-guard[bot]");
    expect(failing(candidate as JustificationCandidate, { comments: [form] }).problems.join("\n")).toMatch(/Recorded in time: comment written 2026-11-23 16:00 UTC, after the merge plus 60 minutes/);
  });
});

describe('"No reviewer available within 2 hours"', () => {
  const noReviewer = bodyCandidate({ bypassReason: "No reviewer available within 2 hours" });
  const request = { kind: "requested" as const, at: "2026-11-23T12:30:00Z", reviewer: "senior-bob", team: null };
  /** With no reviewer, the admin confirms by command: an approval of theirs would itself be an answer. */
  const byCommand = { reviews: [], comments: [comment(9, ADMIN, "/hotfix authorize", "2026-11-23T14:48:00Z")] };

  it.each([
    { name: "a request to an eligible reviewer 2h20 before the merge, no review since", context: { ...byCommand, reviewRequests: [request] }, valid: true },
    { name: "a team request 2h20 before the merge", context: { ...byCommand, reviewRequests: [{ ...request, reviewer: null, team: "payments" }] }, valid: true },
  ])("holds with $name", ({ context, valid }) => {
    expect(verdictOf(noReviewer, context).valid).toBe(valid);
  });

  it.each([
    {
      name: "a reviewer did answer in time",
      context: { ...byCommand, reviewRequests: [request], reviews: [{ reviewer: "senior-bob", state: "COMMENTED" as const, commitId: null, submittedAt: "2026-11-23T13:10:00Z" }] },
      problem: /No reviewer answered: @senior-bob reviewed at 2026-11-23 13:10 UTC/,
    },
    {
      name: "the request came less than 2 hours before the merge",
      context: { reviewRequests: [{ ...request, at: "2026-11-23T13:30:00Z" }] },
      problem: /No reviewer answered: no review was requested from an eligible reviewer at least 2 hours before the merge/,
    },
    {
      name: "the only request went to someone who could not have approved",
      context: { reviewRequests: [{ ...request, reviewer: "intern-ivy" }] },
      problem: /no review was requested from an eligible reviewer/,
    },
    {
      name: "the request was withdrawn",
      context: { reviewRequests: [request, { ...request, kind: "removed" as const, at: "2026-11-23T12:31:00Z" }] },
      problem: /no review was requested from an eligible reviewer/,
    },
    { name: "the timeline could not be read", context: { reviewRequests: null }, problem: /unverified: No reviewer answered: the pull request's timeline could not be read/ },
  ])("not valid when $name", ({ context, problem }) => {
    const result = failing(noReviewer, context);
    expect(result.valid).toBe(false);
    expect(result.problems.join("\n")).toMatch(problem);
  });

  it("uses the configured wait", () => {
    const late = { kind: "requested" as const, at: "2026-11-23T13:30:00Z", reviewer: "senior-bob", team: null };
    expect(verdictOf(noReviewer, { ...byCommand, reviewRequests: [late] }, { config: { bypass: { review_wait_hours: 1 } } }).valid).toBe(true);
  });

  it("treats a review by someone the app could not rule out as an answer", () => {
    const unknownReview = { reviewer: "unknown-user", state: "COMMENTED" as const, commitId: null, submittedAt: "2026-11-23T13:10:00Z" };
    expect(verdictOf(noReviewer, { ...byCommand, reviewRequests: [request], reviews: [unknownReview] }).valid).toBe(false);
  });

  it("counts the authoriser's own approval as an answer: then a reviewer was available", () => {
    expect(failing(noReviewer, { reviewRequests: [request] }).problems.join("\n")).toMatch(/No reviewer answered: @sre-admin reviewed at 2026-11-23 14:40 UTC/);
  });
});
