/**
 * Seed 002's log entry as found in a hotfix pull request: the description's sections (seed 001's
 * template, or seed 002's own field names) mapped onto the entry's fields, the declared severity,
 * the incident's own time, the pull requests it reverts and the earlier hotfixes it names. Pure;
 * a section left as the template's placeholder counts as absent.
 */
import type { Policy } from "../config/policy.js";
import { contentProblem, findSection, type ParsedBody } from "../markdown/sections.js";
import { declaredSeverity, parsedDescription } from "../rules/document.js";
import { parseTimestamp } from "../rules/justification.js";

/** The longest text kept per field; the pull request keeps the rest. */
const MAX_FIELD_TEXT = 2_000;
/** At most this many references to earlier hotfixes are kept. */
const MAX_MENTIONS = 50;

/** The fields of the entry a description fills in; null where it says nothing usable. */
export interface DescribedEntry {
  readonly incidentReference: string | null;
  readonly severity: string | null;
  readonly incidentAt: string | null;
  readonly problem: string | null;
  readonly impact: string | null;
  readonly whyEmergency: string | null;
  readonly changeMade: string | null;
  readonly rollbackPlan: string | null;
  readonly rootCause: string | null;
  readonly riskAccepted: string | null;
  readonly monitoring: string | null;
  readonly reverts: readonly number[];
  readonly mentions: readonly string[];
}

/** Each entry field and the section names that fill it, seed 002's first, then seed 001's. */
const FIELD_NAMES = {
  incidentReference: ["Incident Reference", "Incident", "Tracking"],
  problem: ["Problem", "Issue Description", "Issue"],
  impact: ["Impact"],
  whyEmergency: ["Why Emergency", "Emergency Justification", "Urgency"],
  changeMade: ["Change Made", "Fix Implementation", "Solution"],
  rollbackPlan: ["Rollback Plan"],
  rootCause: ["Root Cause (Initial)", "Root Cause", "Primary Cause"],
  riskAccepted: ["Risk Accepted", "Risks Accepted"],
  monitoring: ["Monitoring", "Monitoring Plan"],
} as const;

/** Sections that may give the incident's own time. */
const TIME_NAMES = ["Date/Time", "Incident Time", "Detected", "Detected At"];

const KNOWN_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "P0", "P1", "P2", "P3"];

function sectionText(parsed: ParsedBody, names: readonly string[]): string | null {
  for (const name of names) {
    const section = findSection(parsed, name);
    if (section && contentProblem(section.text) === null) return section.text.trim().slice(0, MAX_FIELD_TEXT);
  }
  return null;
}

function severityOf(body: string, parsed: ParsedBody, policy: Policy | null): string | null {
  if (policy) {
    const declared = declaredSeverity(body, policy);
    if (declared.kind === "hotfix" || declared.kind === "ambiguous") return declared.values[0] ?? null;
    if (declared.kind === "not-hotfix") return declared.value;
    if (declared.kind !== "none") return null;
  }
  const text = findSection(parsed, "Severity")?.text.replace(/\[[^[\]\n]*\]/g, " ").toUpperCase() ?? "";
  const words = text.split(/[^\p{L}\p{N}]+/u);
  return KNOWN_SEVERITIES.find((value) => words.includes(value)) ?? null;
}

function incidentTime(parsed: ParsedBody): string | null {
  for (const name of TIME_NAMES) {
    const section = findSection(parsed, name);
    const at = section ? parseTimestamp(section.text) : null;
    if (at) return at.toISOString();
  }
  return null;
}

/** Pull requests of this repository the text says it reverts (GitHub's "Reverts owner/repo#N"). */
export function revertedPullRequests(text: string, repo: string): number[] {
  const numbers = new Set<number>();
  for (const match of text.slice(0, 65_536).matchAll(/\bReverts\s+(?:([A-Za-z0-9-]+\/[A-Za-z0-9._-]+))?#(\d{1,9})\b/g)) {
    if (!match[1] || match[1].toLowerCase() === repo.toLowerCase()) numbers.add(Number(match[2]));
  }
  return [...numbers];
}

/** `HOTFIX-NNN` ids and `#N` references in the text, as written, once each. */
export function mentionedHotfixes(text: string, ownNumber: number): string[] {
  const found = new Set<string>();
  for (const match of text.slice(0, 65_536).matchAll(/\bHOTFIX-\d{1,9}\b|(?<![\w/])#\d{1,9}\b/gi)) {
    const mention = match[0].toUpperCase();
    if (mention !== `#${ownNumber}`) found.add(mention);
    if (found.size >= MAX_MENTIONS) break;
  }
  return [...found];
}

/** The entry a pull request's description fills in. */
export function describedEntry(pr: { readonly number: number; readonly body: string | null; readonly title: string }, repo: string, policy: Policy | null): DescribedEntry {
  const body = pr.body ?? "";
  const parsed = parsedDescription(body);
  const fields = Object.fromEntries(Object.entries(FIELD_NAMES).map(([field, names]) => [field, sectionText(parsed, names)])) as Record<keyof typeof FIELD_NAMES, string | null>;
  return {
    ...fields,
    severity: severityOf(body, parsed, policy),
    incidentAt: incidentTime(parsed),
    reverts: revertedPullRequests(`${pr.title}\n${body}`, repo),
    mentions: mentionedHotfixes(body, pr.number),
  };
}
