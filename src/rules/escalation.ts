/**
 * The escalation ladder of a hotfix waiting for approvals, as pure functions over the pull
 * request's timeline: which step is done (the app's own bot requested every reviewer the step
 * names; GitHub's timeline is the durable record, so a re-run or redelivered job finds its own
 * earlier requests and asks nobody twice), which is due, what it still has to request, and the
 * line the check run and the audit show ("asked @acme/seniors at 14:02 UTC, …").
 */
import type { Policy } from "../config/policy.js";
import type { ReviewRequestFact } from "../model/merge.js";

/** One configured step of the ladder. */
export type LadderStep = Policy["config"]["escalation"]["ladder"][number];

/** A reviewer or team a step asks, split the way GitHub's request endpoint wants it. */
export interface ReviewTarget {
  /** As configured (`acme/seniors`, `alice`), for display. */
  readonly name: string;
  readonly kind: "team" | "user";
  /** The team slug without its organisation, or the user's login. */
  readonly id: string;
}

/** The reviewers and teams a step asks, never the pull request's author (GitHub refuses that). */
export function stepTargets(step: LadderStep, author: string): ReviewTarget[] {
  return step.request_review.flatMap((name): ReviewTarget[] => {
    if (name.includes("/")) return [{ name, kind: "team", id: name.slice(name.indexOf("/") + 1) }];
    return name.toLowerCase() === author.toLowerCase() ? [] : [{ name, kind: "user", id: name }];
  });
}

function matches(request: ReviewRequestFact, target: ReviewTarget): boolean {
  const requested = target.kind === "team" ? request.team : request.reviewer;
  return requested !== null && requested !== undefined && requested.toLowerCase() === target.id.toLowerCase();
}

/** When the app's own bot first requested a review from `target`, or null when it never did. */
export function requestedByApp(target: ReviewTarget, requests: readonly ReviewRequestFact[], appLogin: string): string | null {
  const own = appLogin.toLowerCase();
  const found = requests.find((request) => request.kind === "requested" && (request.requester ?? "").toLowerCase() === own && matches(request, target));
  return found?.at ?? null;
}

/** The step's targets the app has not asked yet: what a (re-)run of the step still requests. */
export function targetsToRequest(step: LadderStep, author: string, requests: readonly ReviewRequestFact[], appLogin: string): ReviewTarget[] {
  return stepTargets(step, author).filter((target) => requestedByApp(target, requests, appLogin) === null);
}

/**
 * Where the ladder's clock starts: the first review request on the pull request (by anyone), else
 * when the app first found approvals short (`fallback`). Steps are due at start plus their minutes.
 */
export function ladderStart(requests: readonly ReviewRequestFact[], fallback: Date): Date {
  const first = requests.find((request) => request.kind === "requested");
  return first ? new Date(first.at) : fallback;
}

/** The configured bypass authorisers as mentions (`@user`, `@org/team`; a bare team is the owner's); empty when the repository's administrators decide. */
export function authoriserHandles(policy: Policy, owner: string): string[] {
  const { users, teams } = policy.config.bypass.authorizers;
  return [...users.map((user) => `@${user}`), ...teams.map((team) => `@${team.includes("/") ? team : `${owner}/${team}`}`)];
}

/** When a step is due. */
export function stepDueAt(step: LadderStep, start: Date): Date {
  return new Date(start.getTime() + step.after_minutes * 60_000);
}

/** `14:02 UTC`. */
export function hourMinute(iso: string | Date): string {
  return `${new Date(iso).toISOString().slice(11, 16)} UTC`;
}

/**
 * The ladder in words, for the approvals row and the audit: who the app asked and when
 * ("asked @acme/seniors at 14:02 UTC"), and the next step when one is pending; no parts when the
 * app has asked nobody and nothing is pending.
 */
export function describeLadder(steps: readonly LadderStep[], author: string, requests: readonly ReviewRequestFact[], appLogin: string): string[] {
  const asked: string[] = [];
  let next: string | null = null;
  for (const step of steps) {
    const targets = stepTargets(step, author);
    const times = targets.map((target) => ({ target, at: requestedByApp(target, requests, appLogin) }));
    for (const { target, at } of times) if (at) asked.push(`@${target.name} at ${hourMinute(at)}`);
    if (next === null && targets.length > 0 && times.some(({ at }) => at === null)) {
      const start = ladderStart(requests, new Date(Number.NaN));
      const due = Number.isNaN(start.getTime()) ? `${step.after_minutes} minutes after the first review request` : hourMinute(stepDueAt(step, start));
      next = `next: ${times.filter(({ at }) => at === null).map(({ target }) => `@${target.name}`).join(", ")} at ${due}`;
    }
  }
  return [asked.length > 0 ? `asked ${asked.join(", ")}` : "", next ?? ""].filter(Boolean);
}

/**
 * Every review request standing before `until` (ms), oldest first, with who made it: the audit's
 * evidence for a "no reviewer available" bypass, where the ladder's steps show as the app's own
 * requests ("team seniors at 2026-11-23 14:02 UTC by @hotfix-guard[bot]").
 */
export function requestEvidence(requests: readonly ReviewRequestFact[], until: number): string {
  const made = requests.filter((request) => request.kind === "requested" && Date.parse(request.at) <= until);
  return made
    .map((request) => {
      const who = request.reviewer ? `@${request.reviewer}` : `team ${request.team ?? ""}`;
      const by = request.requester ? ` by @${request.requester}` : "";
      return `${who} at ${new Date(request.at).toISOString().slice(0, 16).replace("T", " ")} UTC${by}`;
    })
    .join(", ");
}
