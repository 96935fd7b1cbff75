/**
 * The configuration of the governed emergency path around the review (issue 14): the escalation
 * ladder that asks more people while a hotfix lacks approvals, which pushes keep approvals, and
 * the environments whose deployments the app gates. Its own file so the one schema stays a list
 * of sections; `configSchema` adds `escalation`, `deployment_gate` and the approvals keys below.
 */
import { z } from "zod";

const reviewerOrTeam = z
  .string()
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*|[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/, "a team as org/team, or a user's login");

/** One step of the ladder. */
const step = z
  .strictObject({
    after_minutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .describe("Minutes after the ladder started (the first step's review request) when this step runs."),
    request_review: z
      .array(reviewerOrTeam)
      .default([])
      .describe("Who is asked for a review: teams as `org/team`, users by login. Needs the Pull requests write permission."),
    notify: z
      .boolean()
      .default(false)
      .describe("Post one comment on the pull request saying approvals are still missing and when a 'no reviewer available' bypass becomes permitted, and send the `review-escalated` message once to the destinations `notifications.routes` name for it."),
  })
  .refine((value) => value.request_review.length > 0 || value.notify, "a step requests a review, notifies, or both");

/** `escalation`: the ladder. */
export const escalationSchema = z
  .strictObject({
    ladder: z
      .array(step)
      .max(10)
      .default([])
      .refine((steps) => steps.every((s, i) => i === 0 || s.after_minutes >= (steps[i - 1]?.after_minutes ?? 0)), "steps in order of after_minutes")
      .describe(
        "Steps run from the durable scheduler while a hotfix pull request lacks approvals, for example `[{after_minutes: 0, request_review: [acme/seniors]}, {after_minutes: 30, request_review: [acme/oncall]}, {after_minutes: 60, notify: true}]`. Stops once approvals suffice or the pull request closes. Empty: no escalation.",
      ),
  })
  .prefault({})
  .describe("Escalation while a hotfix waits for its approvals.");

/** Keys added to `approvals`: which pushes keep existing approvals although the head commit changed. */
export const keepApprovalsShape = {
  keep_on_base_merge: z
    .boolean()
    .default(true)
    .describe(
      "With `stale_after_push`, an approval survives pushes that only merged the base branch in (GitHub's 'Update branch'): the pull request's own change against its base is file for file what was approved.",
    ),
  keep_on_pushes_by: z
    .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login such as renovate[bot]"))
    .default([])
    .describe(
      "With `stale_after_push`, an approval survives pushes whose every new commit was authored and committed by one of these accounts (bots, merge queues) and carries a signature GitHub verified.",
    ),
};

/** `deployment_gate`: GitHub's custom deployment protection rule. */
export const deploymentGateSchema = z
  .strictObject({
    environments: z
      .array(z.string().min(1))
      .default(["production"])
      .describe(
        "Environments (names compared without case) whose deployments the app approves or rejects when it is enabled as a custom deployment protection rule: a commit of a hotfix with an unjustified bypass, or whose Hotfix Guard check fails, is rejected. Other environments are left to other rules.",
      ),
  })
  .prefault({})
  .describe("The deployment gate (GitHub's custom deployment protection rules; needs the Deployments read and write permission).");
