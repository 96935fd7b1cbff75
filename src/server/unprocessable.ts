/**
 * Deliveries that can never be processed: retrying them changes nothing, so the worker marks them
 * failed at once with the reason instead of spending six attempts and half an hour of backoff.
 * A delivery is unprocessable when its payload is not a JSON object, or when it is a repository
 * event (GitHub always sends those through an installation, with the repository) without an
 * installation id or without the repository, or without the object the event is about.
 */

/** Repository events, with the payload field each one is about (null when only the repository matters). */
const REPOSITORY_EVENTS: Readonly<Record<string, string | null>> = {
  pull_request: "pull_request",
  pull_request_review: "pull_request",
  issue_comment: "issue",
  check_run: "check_run",
  check_suite: "check_suite",
  push: null,
  create: null,
  delete: null,
  release: "release",
  branch_protection_rule: null,
  repository_ruleset: null,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a delivery of event `name` with this payload can never be processed, or null when it can. Pure. */
export function unprocessableReason(name: string, payload: unknown): string | null {
  if (!isObject(payload)) return `the ${name} payload is not a JSON object`;
  if (!(name in REPOSITORY_EVENTS)) return null;
  const installation = payload.installation;
  if (!isObject(installation) || typeof installation.id !== "number") return `the ${name} payload names no installation, so the app cannot act on it`;
  const repository = payload.repository;
  if (!isObject(repository) || typeof repository.name !== "string" || !isObject(repository.owner) || typeof repository.owner.login !== "string") {
    return `the ${name} payload names no repository`;
  }
  const subject = REPOSITORY_EVENTS[name];
  if (subject && !isObject(payload[subject])) return `the ${name} payload has no ${subject} object`;
  return null;
}
