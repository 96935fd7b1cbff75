/**
 * A redelivered or repeated event whose verdict did not change writes nothing: the merged hotfix
 * delivered again under a new delivery id, an hour later (as a redelivery from GitHub's settings
 * page or a duplicated webhook arrives), against the same fake GitHub, only reads: the check run,
 * the audit comment and its issues, the merge-back reminder, the post-incident issue and the
 * protection log. One repeat used to change a verdict: a justification in the description first
 * read after the justification window was recorded as seen, and the next audit took a recorded
 * description form as written in time, so a redelivery turned "not justified" into "justified".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "./fake-github.js";
import { AppUnderTest, Clock, FAULT_APP_ID } from "./harness.js";
import { COMPLETE_BODY } from "../helpers/builders.js";
import { formMarkdown, ADMIN, MERGED_AT } from "../helpers/audit-builders.js";
import { NOW, REPO, SCENARIOS, seedWorld, type ScenarioName } from "./scenarios.js";

const clock = new Clock(NOW);
const fake = new FakeGitHub({ appId: FAULT_APP_ID, now: clock.now });
/** Timed jobs due within this window after a delivery run before the next one. */
const JOB_WINDOW_MS = 2 * 3_600_000;

beforeAll(async () => {
  await fake.start();
});

afterAll(async () => {
  await fake.stop();
});

/** Gives hotfix #42 another description. */
function withBody(github: FakeGitHub, body: string): void {
  const issue = github.issues.find((candidate) => candidate.number === 42);
  if (issue) issue.body = body;
}

/** The writes (every request but a GET or a token) the fake received since `from`, as `METHOD route`. */
function writesSince(from: number): string[] {
  return fake.requests.slice(from).filter((request) => request.method !== "GET" && !request.path.endsWith("/access_tokens")).map((request) => `${request.method} ${request.route ?? request.path}`);
}

describe("an event delivered again with an unchanged verdict", () => {
  const CASES: readonly { readonly name: string; readonly scenario: ScenarioName; readonly arrange?: (github: FakeGitHub) => void }[] = [
    { name: "merged, unjustified bypass", scenario: "merged" },
    { name: "merged, justification in the description", scenario: "merged", arrange: (github) => withBody(github, `${COMPLETE_BODY}\n${formMarkdown()}`) },
    {
      name: "merged, justification in the description, authorised by the admin",
      scenario: "merged",
      arrange: (github) => {
        withBody(github, `${COMPLETE_BODY}\n${formMarkdown()}`);
        github.addComment(REPO, 42, ADMIN, "/hotfix authorize", "2026-11-23T14:49:00Z");
      },
    },
    {
      name: "merged, justification in the description first read after the window",
      scenario: "merged",
      arrange: (github) => {
        withBody(github, `${COMPLETE_BODY}\n${formMarkdown()}`);
        github.addComment(REPO, 42, ADMIN, "/hotfix authorize", "2026-11-23T14:49:00Z");
        clock.advance(3_600_000);
      },
    },
    { name: "merged, justification by the admin in a comment", scenario: "merged", arrange: (github) => github.addComment(REPO, 42, ADMIN, formMarkdown(), "2026-11-23T14:48:00Z") },
    { name: "merged, justification authorised by someone who is not an admin", scenario: "merged", arrange: (github) => github.addComment(REPO, 42, "senior-bob", formMarkdown({ authorizedBy: "@senior-bob" }), MERGED_AT) },
    { name: "merged, every target already has it", scenario: "complete" },
    { name: "hotfix PR opened (its check run)", scenario: "opened" },
    { name: "protection of main switched off (the protection log)", scenario: "protection" },
  ];
  it.each(CASES)("$name: the repeat under a new delivery id, an hour later, writes nothing", async ({ scenario: name, arrange }) => {
    const scenario = SCENARIOS[name];
    fake.reset();
    clock.reset();
    seedWorld(fake, scenario.world);
    arrange?.(fake);
    const app = await AppUnderTest.start(fake.url, clock);
    const first = scenario.delivery();
    expect(await app.deliver(first)).toMatchObject({ ok: true, attempts: 1 });
    await app.runDueJobs(JOB_WINDOW_MS);
    expect(writesSince(0)).not.toStrictEqual([]);

    clock.advance(3_600_000);
    const from = fake.requests.length;
    expect(await app.deliver({ ...first, id: `${first.id}-redelivered` })).toMatchObject({ ok: true, attempts: 1 });

    expect(fake.unknown).toStrictEqual([]);
    expect(writesSince(from)).toStrictEqual([]);
  });
});
