/**
 * The `notifications:` section of `.github/hotfix-guard.yml`: which events go to which
 * destinations. A repository names destinations only; what they are (webhook URLs, tokens,
 * signing secrets) lives in the app's environment (`NOTIFY_DESTINATIONS`, src/notify/destinations.ts),
 * because a repository's configuration can be public. A name the app's environment does not
 * define is a configuration error, shown like every other one (check run, path, expected, found).
 */
import { z } from "zod";

/** Every event a route can name, in lifecycle order. */
export const NOTIFY_EVENTS = [
  "opened",
  "awaiting-review",
  "review-escalated",
  "bypass-requested",
  "bypass-permitted",
  "merged",
  "bypass-justified",
  "bypass-unjustified",
  "deployed",
  "merge-back-overdue",
  "merge-back-failed",
  "post-incident-due",
  "post-incident-overdue",
  "weekly-digest",
] as const;

/** An event a route can name. */
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

/** The destination names the app's environment defines; null when unknown (the command line), then names are not checked. */
let knownDestinations: ReadonlySet<string> | null = null;

/**
 * Sets the destination names routes may use; the app calls it once at start-up with the names of
 * `NOTIFY_DESTINATIONS` (an empty set when it is unset, so every name is unknown). Null stops checking.
 */
export function setKnownDestinations(names: Iterable<string> | null): void {
  knownDestinations = names === null ? null : new Set(names);
}

const destinationName = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    if (knownDestinations === null || knownDestinations.has(value)) return;
    const known = [...knownDestinations].sort();
    ctx.addIssue({
      code: "custom",
      input: value,
      message:
        known.length > 0
          ? `a destination the app's NOTIFY_DESTINATIONS defines: ${known.map((name) => JSON.stringify(name)).join(", ")}`
          : "a destination the app's NOTIFY_DESTINATIONS defines (the app defines none: ask its operator)",
    });
  });

const route = z.strictObject({
  events: z.array(z.enum(NOTIFY_EVENTS)).min(1).describe(`The events this route sends: ${NOTIFY_EVENTS.join(", ")}.`),
  to: z.array(destinationName).min(1).describe("Destination names, as the app's `NOTIFY_DESTINATIONS` environment variable defines them (never URLs or tokens: this file can be public)."),
  severities: z
    .array(z.string().min(1))
    .default([])
    .describe("Only hotfixes whose declared severity is one of these (compared without case), for example `[P0, CRITICAL]`; empty: every hotfix. A hotfix without a declared severity matches only an empty list."),
});

/** The `notifications` section's schema. */
export const notificationsSchema = z
  .strictObject({
    routes: z
      .array(route)
      .default([])
      .describe("Where each event goes: a message is sent once to every destination of every route that names its event and matches its severity. Empty: nothing is sent."),
    review_wait_minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30)
      .describe("The `awaiting-review` message is sent this many minutes after the hotfix pull request was first seen, when no eligible reviewer has reviewed it by then; it names who can review."),
  })
  .prefault({})
  .describe("Chat and webhook notifications (seed 001 #incidents, seed 004 #kars-incidents): routes from events to destinations the app's environment defines. See docs/notifications.md.");

/** The validated `notifications` section. */
export type NotificationsConfig = z.output<typeof notificationsSchema>;
