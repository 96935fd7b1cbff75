/**
 * The `bypass.grants` section of `.github/hotfix-guard.yml`: how long a `/hotfix grant-bypass`
 * lasts. Seed 001 lets an authoriser allow an emergency merge without review; a grant that never
 * expired would outlive the emergency, so it runs out (by default after 2 hours) and can never be
 * given for longer than the cap. Its own file so that the section's schema has one home.
 */
import { z } from "zod";

/** The schema of `bypass.grants`. */
export const bypassGrantsSchema = z
  .strictObject({
    default_hours: z
      .number()
      .positive()
      .max(24 * 7)
      .default(2)
      .describe("How long a `/hotfix grant-bypass` without a duration lasts, in hours."),
    max_hours: z
      .number()
      .positive()
      .max(24 * 7)
      .default(8)
      .describe("The longest a grant may last, in hours: a longer duration asked for is cut to this."),
  })
  .prefault({})
  .describe("Bypass grants: `/hotfix grant-bypass [duration]` by an authoriser, tied to the head commit and expiring.");
