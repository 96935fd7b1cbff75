/**
 * Configuration keys that let a team write down what its own procedure says where the first
 * schema could not (issue 15, "what the seeds ask that the config cannot say"): the time zone of
 * emergency branch stamps (seed 003), the `**Field:**` lines a template heading must keep (seed
 * 001's Risk Assessment), the repository's own PR template file (seeds 001, 003, 004) and example
 * commit messages that the configured commit patterns must accept (seed 001). Each piece is one
 * line in `configSchema`.
 */
import { z } from "zod";
import { compileTextPattern } from "./patterns.js";

/** True when `Intl` knows the IANA time zone name (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `hotfix.timezone`: the zone `{date}` and `{time}` of an emergency branch are written in. */
export const timezoneSchema = z
  .string()
  .min(1)
  .refine(isTimeZone, { message: "an IANA time zone name such as UTC, Europe/Berlin or America/New_York" })
  .default("UTC")
  .describe(
    "The time zone `{date}` and `{time}` of an emergency branch name are written in, as an IANA name (`Europe/Berlin`). Seed 003 builds the name with `date +%Y%m%d-%H%M`, the committer's local time: set the team's zone. Messages show both the local and the UTC time.",
  );

/** `template.sections[].fields`: the `**Label:**` lines a heading section must contain. */
export const requiredFieldsSchema = z
  .array(z.string().min(1))
  .min(1)
  .optional()
  .describe(
    "`**Label:**` fields the section must contain, each filled in (for seed 001's Risk Assessment: Risks Accepted, Rollback Plan, Monitoring Plan). A field that was deleted fails like one left as a placeholder.",
  );

/** The default PR template path: seed 001's template as this repository ships it. */
export const DEFAULT_TEMPLATE_PATH = ".github/PULL_REQUEST_TEMPLATE/hotfix.md";

/** `template.path`: the repository's hotfix PR template, named by the check's remedies. */
export const templatePathSchema = z
  .string()
  .min(1)
  .regex(/^[^/\\][^\\]*$/, "a path relative to the repository root, such as .github/PULL_REQUEST_TEMPLATE/hotfix.md")
  .nullable()
  .default(DEFAULT_TEMPLATE_PATH)
  .describe(
    "The hotfix PR template file in the repository, which the check's remedies name as the expected layout. Under `.github/PULL_REQUEST_TEMPLATE/` GitHub pre-fills it with `?template=<file name>`. Null: the repository has no template file, and the remedies list the sections instead.",
  );

/** `commits.examples`: commit first lines the configured `commits.subject` patterns must accept. */
export const commitExamplesSchema = z
  .array(z.string().min(1))
  .default([])
  .describe(
    "Example first lines from the team's own procedure (seed 001: `hotfix(api): fix currency`). Each must match a `commits.subject` pattern and each pattern must match one of them, so a pattern that can never match is a configuration error rather than a silent miss.",
  );

/**
 * Cross-checks `commits.examples` against `commits.subject`: every example must be accepted by a
 * pattern, and every pattern must accept an example. Patterns that do not compile were already
 * reported on their own path and are skipped here.
 */
export function commitExamplesProblems(commits: { readonly subject: readonly string[]; readonly examples: readonly string[] }, ctx: z.RefinementCtx): void {
  if (commits.examples.length === 0) return;
  const matchers = commits.subject.flatMap((pattern) => {
    try {
      return [compileTextPattern(pattern)];
    } catch {
      return [];
    }
  });
  commits.examples.forEach((example, index) => {
    if (matchers.some((matcher) => matcher.test(example))) return;
    ctx.addIssue({ code: "custom", path: ["examples", index], input: example, message: `a first line that one of the commits.subject patterns accepts (${matchers.map((matcher) => matcher.source).join(", ")})` });
  });
  matchers.forEach((matcher, index) => {
    if (commits.examples.some((example) => matcher.test(example))) return;
    const listed = commits.examples.map((example) => JSON.stringify(example)).join(", ");
    ctx.addIssue({ code: "custom", path: ["subject", index], input: matcher.source, message: `a pattern that accepts at least one of commits.examples (${listed}); this one accepts none of them, so it would never match` });
  });
}

/** `post_incident.monitor_minutes`: seeds 001 and 002's "monitor production for 30 minutes" after the deploy. */
export const monitorMinutesSchema = z
  .number()
  .int()
  .positive()
  .max(24 * 60)
  .nullable()
  .default(null)
  .describe(
    "Seeds 001 and 002's post-deployment step \"Monitor production for 30 minutes\": the post-incident issue gets an action item to watch production for this many minutes after the merge, due when that time is up. Null: no such item.",
  );

/** `merge_method`: how a hotfix must be merged into the production branch (seed 004: "Squash & Merge"). */
export const mergeMethodSchema = z
  .enum(["merge", "squash", "rebase"])
  .nullable()
  .default(null)
  .describe(
    "How a hotfix must be merged into the production branch, checked by the merge audit: `merge` (a merge commit), `squash` (seed 004's \"Squash & Merge\") or `rebase`. A merge made another way is a deviation the audit records like any unmet requirement. GitHub records no merge method, so the audit infers it (see docs/configuration.md, \"How the merge method is told\"). Null: any method.",
  );

/** The default path of the team's post-incident template. */
export const DEFAULT_POST_INCIDENT_TEMPLATE = ".github/hotfix-guard/post-incident.md";

/** `post_incident.template`: the team's own post-incident / post-mortem template in the repository. */
export const postIncidentTemplateSchema = z
  .string()
  .min(1)
  .regex(/^[^/\\][^\\]*$/, "a path relative to the repository root, such as .github/hotfix-guard/post-incident.md")
  .nullable()
  .default(DEFAULT_POST_INCIDENT_TEMPLATE)
  .describe(
    "The team's post-incident template (seeds 000, 001, 004 each have one), read from the default branch. Placeholders: `{{repo}}`, `{{pr_number}}`, `{{title}}`, `{{author}}`, `{{merged_by}}`, `{{merged_at}}`, `{{due}}`, `{{severity}}`, `{{incident_reference}}`, `{{head_ref}}`, `{{base_ref}}`, `{{merge_commit}}`; values are escaped, an unknown placeholder is left as written and listed in the issue. Hotfix Guard's own items (release tag, monitoring, retroactive review) follow the template. No file: seed 001's layout. A file that cannot be read: seed 001's layout, and the issue says why. Null: always seed 001's layout.",
  );
