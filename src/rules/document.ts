/**
 * The parsed PR description and the severity it declares, shared by the template and approval
 * rules. Parsing is pure and memoised per body text, so rules that each need the document parse
 * it once per evaluation.
 */
import { findSection, parseBody, type ParsedBody } from "../markdown/sections.js";
import type { Policy, TemplateSection } from "../config/policy.js";

let lastBody: string | undefined;
let lastParsed: ParsedBody | undefined;

/** The description parsed into sections (memoised for the most recent body). */
export function parsedDescription(body: string): ParsedBody {
  if (body !== lastBody || !lastParsed) {
    lastParsed = parseBody(body);
    lastBody = body;
  }
  return lastParsed;
}

/** The severity the description declares, as the policy reads it. */
export type DeclaredSeverity =
  | { readonly kind: "none" } // the policy has no severity section
  | { readonly kind: "missing"; readonly section: TemplateSection }
  | { readonly kind: "unrecognised"; readonly section: TemplateSection; readonly text: string }
  | { readonly kind: "ambiguous"; readonly section: TemplateSection; readonly text: string; readonly values: readonly string[] }
  | { readonly kind: "not-hotfix"; readonly section: TemplateSection; readonly value: string }
  /** Every hotfix value named: "P0 - Critical" names two, and approvals take the strictest. */
  | { readonly kind: "hotfix"; readonly section: TemplateSection; readonly values: readonly string[] };

function wordsOf(text: string): string[] {
  return text.toUpperCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * Reads the severity section: the first configured value the text names (as a whole word,
 * without case) decides. Naming both a hotfix and a non-hotfix value is ambiguous.
 */
export function declaredSeverity(body: string, policy: Policy): DeclaredSeverity {
  const section = policy.sections.find((s) => s.severity);
  if (!section?.severity) return { kind: "none" };
  const found = findSection(parsedDescription(body), section.name);
  if (!found) return { kind: "missing", section };
  const words = wordsOf(found.text.replace(/\[[^[\]\n]*\]/g, " "));
  const named = (values: readonly string[]) => values.filter((value) => words.includes(value.toUpperCase()));
  const hotfix = named(section.severity.hotfix);
  const notHotfix = named(section.severity.notHotfix);
  if (hotfix.length > 0 && notHotfix.length > 0) {
    return { kind: "ambiguous", section, text: found.text, values: [...hotfix, ...notHotfix] };
  }
  if (notHotfix.length > 0) return { kind: "not-hotfix", section, value: notHotfix[0] as string };
  if (hotfix.length > 0) return { kind: "hotfix", section, values: hotfix };
  return { kind: "unrecognised", section, text: found.text };
}
