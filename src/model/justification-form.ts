/**
 * The emergency bypass justification form (seed 001) as data, and the verdict on one as the
 * audit's record keeps it: the form's fields, where it was written, each check and the
 * authoriser's confirmation. The justification rules (`src/rules/justification.ts`) judge it; the
 * codec (`src/model/records.ts`) saves it; the renderers show it. Shared model, so the codec
 * needs no rules.
 */

/** The fields of the form, in the order seed 001 lists them, with the labels they may carry. */
export const JUSTIFICATION_FIELDS = [
  { key: "incident", label: "Incident", aliases: ["Incident"] },
  { key: "bypassReason", label: "Bypass Reason", aliases: ["Bypass Reason"] },
  { key: "riskAssessment", label: "Risk Assessment", aliases: ["Risk Assessment"] },
  { key: "postIncidentActions", label: "Post-Incident Actions", aliases: ["Post-Incident Actions", "Post Incident Actions"] },
  { key: "authorizedBy", label: "Authorized By", aliases: ["Authorized By", "Authorised By"] },
  { key: "timestamp", label: "Timestamp", aliases: ["Timestamp"] },
] as const;

/** A field of the form. */
export type JustificationField = (typeof JUSTIFICATION_FIELDS)[number]["key"];
/** The text of each field, empty when the field is missing. */
export type JustificationFields = Readonly<Record<JustificationField, string>>;

/** Where a justification was written. */
export type JustificationSource =
  | { readonly kind: "body" }
  | { readonly kind: "comment"; readonly id: number; readonly author: string; readonly createdAt: string; readonly updatedAt: string };

/** One thing the audit checked about a justification. */
export interface JustificationCheck {
  readonly aspect: string;
  /** valid: verified; invalid: verified wrong; unverified: the app could not establish it. */
  readonly status: "valid" | "invalid" | "unverified";
  readonly detail: string;
}

/** The authoriser's own action that confirmed a justification. */
export interface Confirmation {
  readonly kind: "review" | "comment" | "grant";
  readonly login: string;
  /** The `/hotfix authorize` or `/hotfix grant-bypass` comment's id; null for a review. */
  readonly id: number | null;
  readonly at: string;
}

/** The verdict on one justification. */
export interface JustificationVerdict {
  /** True only when every check is valid. */
  readonly valid: boolean;
  readonly checks: readonly JustificationCheck[];
  /** The login the form names as authoriser, when it names exactly one. */
  readonly authoriser: string | null;
  /** The authoriser's action the verdict stood on, when it was confirmed. */
  readonly confirmation?: Confirmation;
}

/** An authoriser's permission and configured teams as first judged, kept so later runs judge the same. */
export interface RecordedAuthority {
  readonly permission: string;
  readonly teams: readonly string[];
  /** When it was read. */
  readonly at: string;
}
