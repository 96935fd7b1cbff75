/**
 * The `release_guard` section of `.github/hotfix-guard.yml`: how hard the release guard stops a
 * release that would drop a merged hotfix. Its own file so the section's schema lives beside no
 * other feature's; `configSchema` includes it with one line.
 */
import { z } from "zod";

/** What the guard does when a release lacks a hotfix: fail the check, warn in it, or say nothing. */
const level = z.enum(["block", "warn", "off"]);

/** The schema of `release_guard`. */
export const releaseGuardSchema = z
  .strictObject({
    release_branches: level
      .default("block")
      .describe("A pull request into the production branch from a release branch (`branches.release`) that lacks a merged hotfix: `block` fails the \"Hotfix Guard\" check, `warn` reports it as neutral, `off` checks nothing."),
    develop: level.default("warn").describe("The same for a pull request from the develop branch (`branches.develop`) into the production branch."),
    other: level.default("warn").describe("The same for any other non-hotfix pull request into the production branch."),
    tags: z
      .boolean()
      .default(true)
      .describe("Check every `vX.Y.Z` tag and published GitHub release: a \"Hotfix Guard: release\" check run on its commit (failing when a hotfix is missing) and one comment on each missing hotfix's merge-back reminder."),
  })
  .prefault({})
  .describe("The release guard: no release pull request, tag or GitHub release may drop a hotfix already merged into the production branch.");
