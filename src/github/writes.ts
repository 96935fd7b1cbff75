/**
 * The one write policy every create goes through (check runs, comments, issues, pull requests,
 * branches). GitHub may carry out a POST and then answer 502, drop the connection or time out; a
 * blind retry would then make a second item. So:
 * 1. look for what an earlier attempt may have made (the app's hidden marker, written by the
 *    app's own bot login) before creating;
 * 2. send the create once: the gateways pass {@link NO_RETRY} so the HTTP client never repeats it;
 * 3. after an ambiguous failure, look again before anything else; still nothing → throw an
 *    {@link AmbiguousWriteError}, so the job fails and the queue retries it (and the retry finds
 *    the item if it appeared);
 * 4. updates are idempotent: skipped when the item already says what is wanted.
 */
import { AmbiguousWriteError, githubError, isAmbiguous } from "./errors.js";

/** Request options for a create: the HTTP client's retries off (a retry could duplicate it). */
export const NO_RETRY = { retries: 0 } as const;

/** What a create is, how to find it, and how to make it. */
export interface CreateOnce<T> {
  /** Names the item in errors: "check run \"Hotfix Guard\" on abc1234". */
  readonly what: string;
  /** Looks for the item an earlier attempt may have made (the app's own, by marker); null when none. */
  readonly find: () => Promise<T | null | undefined>;
  /** Sends the create once. */
  readonly create: () => Promise<T>;
  /** What the caller already found, so the first look costs nothing when it was read anyway. */
  readonly found?: T | null | undefined;
}

/** The item and whether this call created it. */
export interface CreateResult<T> {
  readonly value: T;
  readonly action: "created" | "found";
}

/** Finds the item or creates it, once; see the module comment for the rule. */
export async function createOnce<T>(spec: CreateOnce<T>): Promise<CreateResult<T>> {
  const existing = "found" in spec ? spec.found : await spec.find();
  if (existing !== null && existing !== undefined) return { value: existing, action: "found" };
  try {
    return { value: await spec.create(), action: "created" };
  } catch (error) {
    if (!isAmbiguous(error)) throw githubError(error, `creating ${spec.what}`);
    const again = await spec.find();
    if (again !== null && again !== undefined) return { value: again, action: "created" };
    const cause = (error as { message?: string }).message ?? String(error);
    throw new AmbiguousWriteError(`creating ${spec.what}: ${cause}; not there when looked for again, so it is retried later`, error);
  }
}

/** Writes `wanted` unless `current` already says it; returns whether it wrote. */
export async function updateIfChanged<T>(current: T, wanted: T, update: (wanted: T) => Promise<void>, same: (a: T, b: T) => boolean = Object.is): Promise<boolean> {
  if (same(current, wanted)) return false;
  await update(wanted);
  return true;
}
