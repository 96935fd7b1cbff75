/**
 * The configuration of a safe rollout: `mode` (evaluate before enforcing) and the organisation's
 * `floor`, the minimum that a repository's own configuration may tighten but never loosen. Kept
 * apart from the main schema so that the rollout's keys have one home; `schema.ts` adds them to
 * the one configuration schema. How the floor is applied is `floor.ts`.
 */
import { z } from "zod";
import { patternProblem } from "./patterns.js";

/** Whether the policy blocks and writes (`enforce`), or only shows what it would do (`evaluate`). */
export const modeSchema = z
  .enum(["evaluate", "enforce"])
  .default("enforce")
  .describe(
    "`enforce` (the default): failing rules fail the check, and bypasses open audit issues and comments. `evaluate`: every rule runs and the check run shows what would fail, but concludes neutral; no issue is opened and no audit comment is posted (the would-be audit appears in a check run on the merge commit and in the hotfix log). Run a week in `evaluate` before enforcing.",
  );

/** A rollout mode, as the policy holds it. */
export type RolloutMode = z.output<typeof modeSchema>;

const floorLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login such as octocat");
const floorTeam = z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9-]*\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a team slug, optionally with its organisation: acme/sre or sre");
const floorPattern = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = patternProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });

/**
 * The organisation floor. Honoured only in the organisation's `.github` repository's
 * `.github/hotfix-guard.yml`; every key is optional, and an absent key sets no floor.
 */
export const floorSchema = z
  .strictObject({
    mode: z
      .enum(["evaluate", "enforce"])
      .optional()
      .describe("`enforce`: no repository may switch to `mode: evaluate`. `evaluate`: repositories choose (it sets no floor)."),
    approvals: z
      .strictObject({
        required: z
          .number()
          .int()
          .min(0)
          .max(20)
          .optional()
          .describe("The fewest approvals any hotfix needs: `approvals.required` and every `approvals.by_severity` value must be at least this."),
      })
      .optional()
      .describe("The approvals floor."),
    template: z
      .strictObject({
        sections: z
          .array(z.string().min(1))
          .optional()
          .describe("Section names every repository's `template.sections` must include (compared without case, emoji or punctuation); a missing one is added."),
      })
      .optional()
      .describe("The PR template floor."),
    bypass: z
      .strictObject({
        authorizers: z
          .strictObject({
            users: z.array(floorLogin).default([]).describe("GitHub logins."),
            teams: z.array(floorTeam).default([]).describe("Team slugs, as `org/team` or `team`."),
          })
          .optional()
          .describe("The only people who may authorise a bypass: a repository may name fewer of them, never others (nor leave it to repository administrators)."),
      })
      .optional()
      .describe("The bypass floor."),
    merge_back: z
      .strictObject({
        targets: z
          .array(floorPattern)
          .min(1)
          .optional()
          .describe("Branches every hotfix must reach, as the repository's `merge_back.targets` write them: a repository may add targets, never drop these."),
      })
      .optional()
      .describe("The merge-back floor."),
  })
  .optional()
  .describe(
    "The organisation floor, honoured only in the organisation's `.github` repository: values every repository's configuration may tighten but not loosen. A loosening attempt shows as a configuration row in the check run, naming the floor and its file, and the floor value applies.",
  );

/** The organisation floor as validated. */
export type Floor = NonNullable<z.output<typeof floorSchema>>;
