/**
 * The team's own post-incident template (`post_incident.template`, seeds 000, 001 and 004 each
 * have one) filled with the hotfix's facts. Values come from pull request text and are hostile:
 * each is cut to one line with mentions and references neutralised before it is substituted. A
 * placeholder the app does not know is left as written and reported, never silently dropped. Pure.
 */
import { echo } from "./audit.js";
import { neutraliseMentions } from "./markdown.js";

/** The placeholders a template may use, with the hotfix's value for each. */
export type TemplateValues = Readonly<Record<string, string>>;

/** The names `{{…}}` accepts, in the order the documentation lists them. */
export const TEMPLATE_PLACEHOLDERS = [
  "repo",
  "pr_number",
  "title",
  "author",
  "merged_by",
  "merged_at",
  "due",
  "severity",
  "incident_reference",
  "head_ref",
  "base_ref",
  "merge_commit",
] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]{1,40})\s*\}\}/g;

/** The filled template and the placeholders it used that the app does not know. */
export interface FilledTemplate {
  readonly text: string;
  readonly unknown: readonly string[];
}

/** Substitutes `{{name}}` placeholders with escaped values; unknown ones stay as written and are listed. */
export function fillTemplate(template: string, values: TemplateValues): FilledTemplate {
  const unknown = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const key = name.toLowerCase();
    if (!Object.hasOwn(values, key)) {
      unknown.add(name);
      return whole;
    }
    return neutraliseMentions(echo(values[key] ?? "", 200));
  });
  return { text, unknown: [...unknown] };
}
