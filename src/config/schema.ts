/**
 * The one schema of `.github/hotfix-guard.yml`.
 *
 * Every field carries its documentation in `.describe()`: that text is the field's doc comment,
 * and it is what editors and the configuration reference show. Defaults follow the five teams'
 * procedures in `shared/seeds/` so that installing the app with no file already enforces a
 * sensible policy. Objects are strict: a misspelt key is an error, never silently ignored.
 */
import { z } from "zod";
import { commitPatternProblem, patternProblem, referenceFormatProblem } from "./patterns.js";
import { grammarProblem } from "./branch-grammar.js";
import { floorSchema, modeSchema } from "./schema-rollout.js";
import { bypassGrantsSchema } from "./schema-bypass-grants.js";
import { notificationsSchema } from "./schema-notifications.js";
import { commitExamplesProblems, commitExamplesSchema, mergeMethodSchema, monitorMinutesSchema, postIncidentTemplateSchema, requiredFieldsSchema, templatePathSchema, timezoneSchema } from "./schema-seedfit.js";
import { releaseGuardSchema } from "./schema-release.js";
import { deploymentGateSchema, escalationSchema, keepApprovalsShape } from "./schema-escalation.js";

/** A non-empty string that `problemOf` accepts; its reason becomes the config error message. */
function compiledString(problemOf: (value: string) => string | null) {
  return z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = problemOf(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
    });
}

/** A glob (`release/*`, `db/migrations/**`) or a `/regex/` run by a linear-time engine. */
const pattern = compiledString(patternProblem);

const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, "a GitHub login such as octocat");
const team = z
  .string()
  .regex(/^(?:[A-Za-z0-9][A-Za-z0-9-]*\/)?[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a team slug, optionally with its organisation: acme/sre or sre");

const people = z
  .strictObject({
    users: z.array(login).default([]).describe("GitHub logins."),
    teams: z
      .array(team)
      .default([])
      .describe("Team slugs, as `org/team` or `team` (the repository owner's organisation). Needs the app's Members read permission."),
  })
  .prefault({});

const branchGrammar = compiledString(grammarProblem);

/** A required section of the hotfix PR template, by heading or by `**Label:**` field. */
const sectionObject = z.strictObject({
  name: z.string().min(1).describe("The heading text or `**Label:**` that introduces the section, compared without case, emoji or punctuation."),
  formats: z
    .array(compiledString(referenceFormatProblem))
    .min(1)
    .optional()
    .describe(
      "Accepted reference formats, any one of which must appear: placeholders `{number}`, `{url}`, `{key}` (letters, digits, dashes), or a `/regex/`. Default for Incident Reference: `#{number}`, `INC-{number}`, `{url}`.",
    ),
  hotfix: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("Values that qualify as a hotfix (the section is then the severity). One of them must be given."),
  not_hotfix: z
    .array(z.string().min(1))
    .optional()
    .describe("Values that mean 'not a hotfix: use the regular release process' (for example P2/P3)."),
  required_checkboxes: z
    .array(z.string().min(1))
    .optional()
    .describe("Checkbox items that must be ticked, matched by the start of their text. `N/A: <reason>` counts only with a reason."),
  fields: requiredFieldsSchema,
});

const section = z.union([z.string().min(1), sectionObject]);

/** Defaults for the template: seed 001's hotfix PR template, less what happens after merge. */
const DEFAULT_SECTIONS: z.input<typeof section>[] = [
  { name: "Incident Reference", formats: ["#{number}", "INC-{number}", "{url}"] },
  { name: "Severity", hotfix: ["CRITICAL", "HIGH", "P0", "P1"], not_hotfix: ["MEDIUM", "LOW", "P2", "P3"] },
  "Emergency Justification",
  "Issue Description",
  "Fix Implementation",
  { name: "Testing Performed", required_checkboxes: ["Existing tests pass", "New test validates fix"] },
  { name: "Risk Assessment", fields: ["Risks Accepted", "Rollback Plan", "Monitoring Plan"] },
];

export const configSchema = z
  .strictObject({
    branches: z
      .strictObject({
        production: z.string().min(1).default("main").describe("The production branch hotfixes merge into (for example `kars-prod`)."),
        develop: z.string().min(1).default("develop").describe("The development branch every hotfix must reach afterwards (for example `kars-dev`)."),
        release: pattern.default("release/*").describe("Release branches, as a glob or `/regex/`."),
      })
      .prefault({})
      .describe("The branches of the team's flow."),
    hotfix: z
      .strictObject({
        prefix: z.string().min(1).default("hotfix/").describe("A pull request into the production branch from a branch with this prefix is a hotfix."),
        label: z.string().min(1).default("hotfix").describe("A pull request into the production branch carrying this label is a hotfix, whatever its branch."),
        branch_names: z
          .array(branchGrammar)
          .min(1)
          .default(["hotfix/v{version}-{slug}", "hotfix/emergency-{date}-{time}"])
          .describe(
            "Accepted hotfix branch names. Placeholders: `{version}` (X.Y.Z), `{date}` (YYYYMMDD), `{time}` (HHMM, in `hotfix.timezone`), `{slug}` (lowercase kebab-case). A team that names branches `hotfix/critical-issue` adds `hotfix/{slug}`.",
          ),
        version_follows_latest_tag: z
          .boolean()
          .default(true)
          .describe("`{version}` must be the next patch of the latest `vX.Y.Z` tag (v1.2.0 → 1.2.1)."),
        emergency_window_hours: z
          .number()
          .positive()
          .max(24 * 365)
          .default(72)
          .describe("How old the `{date}`/`{time}` of an emergency branch may be when the PR is checked."),
        slug_max_length: z.number().int().min(3).max(200).default(50).describe("The longest `{slug}` accepted."),
        timezone: timezoneSchema,
      })
      .prefault({})
      .describe("What makes a pull request a hotfix, and how hotfix branches are named."),
    template: z
      .strictObject({
        sections: z
          .array(section)
          .default(DEFAULT_SECTIONS)
          .describe(
            "Sections the PR description must fill in, by name or as an object with `formats` (references), `hotfix`/`not_hotfix` (severity) or `required_checkboxes`. Post-Deployment Actions happen after merge and are never required before it.",
          ),
        path: templatePathSchema,
      })
      .prefault({})
      .describe("The hotfix PR template: sections the description must fill in before merge."),
    scope: z
      .strictObject({
        max_files: z.number().int().positive().default(20).describe("The most files a hotfix may change."),
        max_changed_lines: z.number().int().positive().default(400).describe("The most lines (added plus deleted) a hotfix may change."),
        forbidden_paths: z.array(pattern).default([]).describe("Paths a hotfix must not touch, as globs or `/regex/` (for example `db/migrations/**`)."),
        level: z.enum(["warn", "fail"]).default("warn").describe("Whether a scope finding only warns or blocks the merge."),
      })
      .prefault({})
      .describe("Minimal scope: no refactoring, no scope creep beyond the fix itself."),
    tests: z
      .strictObject({
        required: z.boolean().default(true).describe("At least one changed file must be a test (a test that would have caught the bug)."),
        globs: z
          .array(pattern)
          .min(1)
          .default(["**/*.test.*", "**/*.spec.*", "test/**", "tests/**", "**/__tests__/**"])
          .describe("What counts as a test file."),
      })
      .prefault({})
      .describe("A test that would have caught the bug."),
    commits: z
      .strictObject({
        convention: z.enum(["off", "warn", "fail"]).default("off").describe("Whether commit messages are checked, and whether a miss warns or blocks."),
        subject: z
          .array(compiledString(commitPatternProblem))
          .min(1)
          .default(["/^hotfix(\\([^)]+\\))?: \\S/", "/^HOTFIX: \\S/"])
          .describe(
            "Accepted first lines, as `/regex/` or globs (default: `hotfix(scope): …` or `HOTFIX: …`). In these globs `*` matches any text, `/` included: seed 001's `hotfix([scope]): [brief description]` is written `hotfix(*): *`.",
          ),
        fields: z
          .array(z.string().min(1))
          .default(["EMERGENCY FIX", "Root Cause", "Impact", "Solution"])
          .describe("`Name:` lines each commit body must contain (EMERGENCY FIX, Root Cause, Impact, Solution by default)."),
        examples: commitExamplesSchema,
      })
      .superRefine(commitExamplesProblems)
      .prefault({})
      .describe("The hotfix commit message convention. Merge commits are not checked."),
    approvals: z
      .strictObject({
        required: z.number().int().min(0).max(20).default(1).describe("Approvals needed from eligible reviewers (one senior developer by default)."),
        by_severity: z
          .record(z.string().min(1), z.number().int().min(0).max(20))
          .default({})
          .describe("Approvals needed per severity, overriding `required`: for example `{ CRITICAL: 1, HIGH: 2 }`."),
        reviewers: people.describe("Eligible reviewers. Empty: anyone with write access to the repository."),
        stale_after_push: z.boolean().default(true).describe("An approval given on an earlier head commit no longer counts."),
        ...keepApprovalsShape,
      })
      .prefault({})
      .describe("Who must approve a hotfix, and how many."),
    escalation: escalationSchema,
    deployment_gate: deploymentGateSchema,
    bypass: z
      .strictObject({
        reasons: z
          .array(z.string().min(1))
          .min(1)
          .default(["No reviewer available within 2 hours", "Production completely down", "Security actively exploited"])
          .describe("The only acceptable `Bypass Reason:` values of an emergency bypass justification, compared without case or punctuation."),
        review_wait_hours: z
          .number()
          .positive()
          .max(24 * 7)
          .default(2)
          .describe("For the 'no reviewer available' reason: how long a review must have been requested, with no eligible review since, before the merge."),
        authorizers: people.describe("Who may authorise a bypass. Empty: repository administrators."),
        justification_window_minutes: z
          .number()
          .int()
          .min(0)
          .max(7 * 24 * 60)
          .default(60)
          .describe("How long after the merge a justification (and the authoriser's confirmation) may still be recorded."),
        grants: bypassGrantsSchema,
      })
      .prefault({})
      .describe("Emergency bypass: merging a hotfix without meeting the policy, justified and authorised."),
    audit: z
      .strictObject({
        notify: people.describe("Admins mentioned in audit comments and assigned to audit issues. Empty: nobody is mentioned, and audit issues are unassigned."),
        repository: z
          .string()
          .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "owner/name of a repository")
          .nullable()
          .default(null)
          .describe("A central repository (`owner/name`) for audit issues: a repository of the same owner, where the app is installed (another owner's is a configuration error). Null: the hotfix's own repository."),
        labels: z
          .strictObject({
            hotfix: z.string().min(1).default("hotfix").describe("Label on every merged hotfix."),
            bypass: z.string().min(1).default("hotfix:bypass").describe("Label on a hotfix merged without meeting the policy."),
            unjustified: z.string().min(1).default("hotfix:bypass-unjustified").describe("Label on a bypass without a valid justification."),
          })
          .prefault({})
          .describe("Labels the merge audit applies."),
      })
      .prefault({})
      .describe("How merges are audited and who hears about bypasses."),
    merge_back: z
      .strictObject({
        targets: z
          .array(pattern)
          .min(1)
          .optional()
          .describe("Branches every merged hotfix must reach, as names, globs or `/regex/`. Default: the develop branch and the release branches."),
        release_branches: z
          .enum(["active", "all"])
          .default("active")
          .describe("Which release branches are targets: `active` (not yet merged into the production branch) or `all` matching ones."),
        escalate_after_hours: z.number().positive().max(24 * 30).default(24).describe("When an open merge-back reminder gets its escalation comment."),
        open_pull_requests: z.boolean().default(false).describe("Open the back-merge pull requests for the missing targets."),
        delete_hotfix_branch: z.boolean().default(false).describe("Delete the hotfix branch once every target has the fix (otherwise only suggest it)."),
      })
      .prefault({})
      .describe("Getting every hotfix back into the development and release branches."),
    release_guard: releaseGuardSchema,
    post_incident: z
      .strictObject({
        due_hours: z.number().positive().max(24 * 90).default(48).describe("When the post-incident review is due after the merge."),
        due_hours_by_severity: z
          .record(z.string().min(1), z.number().positive().max(24 * 90))
          .default({})
          .describe("Due times per severity, overriding `due_hours`: for example `{ P0: 24, P1: 168 }`."),
        monitor_minutes: monitorMinutesSchema,
        template: postIncidentTemplateSchema,
        require_tag: z.boolean().default(true).describe("The `vX.Y.Z` tag the branch names must point at the merge commit; until it does, the follow-up lists it as open."),
      })
      .prefault({})
      .describe("The follow-up after a merged hotfix: the post-incident review and the release tag."),
    merge_method: mergeMethodSchema,
    // ── Hotfix log and metrics (issue 12) ──────────────────────────────────────────────────────
    metrics: z
      .strictObject({
        deploy_environments: z
          .array(z.string().min(1))
          .min(1)
          .default(["production"])
          .describe("Deployment environments that count as production: a successful `deployment_status` there marks the merged hotfixes deployed. Compared without case."),
        repeat_within_days: z
          .number()
          .int()
          .positive()
          .max(365)
          .default(30)
          .describe("A hotfix that changes a file an earlier hotfix changed within this many days counts as a repeat incident (as does one naming the same incident reference)."),
        warnings: z
          .strictObject({
            max_hotfixes_per_month: z.number().min(0).default(1).describe("Frequent hotfixes: warn when the window has more hotfixes per month than this (seed 001: more than 1 a month)."),
            max_resolution_hours: z
              .number()
              .positive()
              .max(24 * 30)
              .default(1)
              .describe("Long resolution times: warn when the median time from incident (or PR opened) to merged exceeds this (seed 002: total incident under 60 minutes)."),
            max_over_scope: z.number().int().min(0).default(0).describe("Scope creep: warn when more hotfixes than this went over the `scope` limits."),
            max_post_mortems_skipped: z
              .number()
              .int()
              .min(0)
              .default(0)
              .describe("Post-mortems skipped: warn when more post-incident reviews than this are overdue, closed late or missing (seed 002: 100 % within 48 hours)."),
            max_repeat_share: z.number().min(0).max(1).default(0.1).describe("Repeat incidents: warn when more than this share of hotfixes repeat an earlier one (seed 002: under 10 %)."),
            max_quality_escapes: z.number().int().min(0).default(0).describe("Hotfix-induced issues: warn when more hotfixes than this were reverted or fixed again by a later hotfix."),
          })
          .prefault({})
          .describe("Seed 001's warning signs: the thresholds past which the hotfix log's metrics page highlights them."),
      })
      .prefault({})
      .describe("The hotfix log's metrics: what counts as deployed, as a repeat, and the warning-sign thresholds."),
    // ── end of hotfix log and metrics ──────────────────────────────────────────────────────────
    mode: modeSchema, // safe rollout (issue 15): src/config/schema-rollout.ts
    floor: floorSchema,
    notifications: notificationsSchema,
  })
  .describe("Hotfix Guard configuration, read from `.github/hotfix-guard.yml` on the default branch.");

/** The validated configuration, every default filled in. */
export type HotfixConfig = z.output<typeof configSchema>;
/** A template section as written in the file. */
export type SectionSpec = z.output<typeof section>;
/** The path of the configuration file, relative to the repository root. */
export const CONFIG_PATH = ".github/hotfix-guard.yml";
