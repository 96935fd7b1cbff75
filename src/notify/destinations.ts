/**
 * Where notifications go, defined by the app's environment and never by a repository (a public
 * repository's configuration must not hold a webhook URL or a token). `NOTIFY_DESTINATIONS` is a
 * JSON object of named destinations; `.github/hotfix-guard.yml` routes events to these names.
 * The variable is validated once at start-up: a problem names the variable and the destination
 * and never echoes a secret (URLs, tokens and signing secrets are all secrets).
 */
import { z } from "zod";

/** The environment variable holding the destinations. */
export const DESTINATIONS_VARIABLE = "NOTIFY_DESTINATIONS";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/);
const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "an http(s) URL")
  .describe("URL");

const destinationSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("slack-webhook"),
    /** The incoming webhook's URL (`https://hooks.slack.com/services/…`): it names its channel. */
    url: httpUrl,
  }),
  z.strictObject({
    type: z.literal("slack-bot"),
    /** A bot token (`xoxb-…`) with `chat:write`; the bot must be in the channel. */
    token: z.string().min(1),
    /** The channel id (`C0123…`) or name (`#incidents`). */
    channel: z.string().min(1),
    /** The Web API's base URL; Slack's own by default (tests point it at a local server). */
    api_url: httpUrl.optional(),
  }),
  z.strictObject({
    type: z.literal("teams"),
    /** The URL of a Teams workflow ("When a Teams webhook request is received") that posts to a channel. */
    url: httpUrl,
  }),
  z.strictObject({
    type: z.literal("webhook"),
    /** Where the signed JSON is posted. */
    url: httpUrl,
    /** The HMAC-SHA256 key the receiver verifies `X-Hotfix-Guard-Signature-256` with: at least 16 characters. */
    secret: z.string().min(16),
  }),
]);

/** One destination as configured, with its name. */
export type Destination = z.output<typeof destinationSchema> & { readonly name: string };

/** The destinations by name. */
export type Destinations = ReadonlyMap<string, Destination>;

/** The environment variable is unusable: the message says which variable, which destination and what is wrong, no secret. */
export class DestinationsError extends Error {
  override readonly name = "DestinationsError";
}

function problemText(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  const where = path ? `\`${path}\`` : "the destination";
  if (issue.code === "invalid_union" || (issue.code === "invalid_value" && path === "type")) return "`type`: expected one of slack-webhook, slack-bot, teams, webhook";
  if (issue.code === "unrecognized_keys") return `unknown key(s) ${issue.keys.map((key) => `\`${key}\``).join(", ")}`;
  if (issue.code === "invalid_type") return `${where}: expected ${issue.expected === "string" ? "a text" : `a ${issue.expected}`}`;
  if (issue.code === "too_small") return `${where}: expected at least ${String(issue.minimum)} characters`;
  return `${where}: expected ${issue.message}`;
}

/**
 * Parses the destinations from the variable's text; an absent or empty variable means no
 * destination. Throws {@link DestinationsError} naming the variable and the destination.
 */
export function parseDestinations(text: string | undefined, variable = DESTINATIONS_VARIABLE): Destinations {
  if (text === undefined || text.trim() === "") return new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DestinationsError(`${variable} is not valid JSON: expected an object of named destinations, such as {"incidents": {"type": "slack-webhook", "url": "https://hooks.slack.com/services/…"}}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new DestinationsError(`${variable} must be a JSON object of named destinations`);
  const destinations = new Map<string, Destination>();
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!name.safeParse(key).success) {
      problems.push(`destination ${JSON.stringify(key.slice(0, 64))}: a name is letters, digits, '.', '_' or '-', at most 63 characters`);
      continue;
    }
    const parsed = destinationSchema.safeParse(value);
    if (parsed.success) destinations.set(key, { ...parsed.data, name: key });
    else problems.push(`destination "${key}": ${parsed.error.issues.map(problemText).join("; ")}`);
  }
  if (problems.length > 0) throw new DestinationsError(`${variable}: ${problems.join(". ")}`);
  return destinations;
}

/** The destinations of the process environment (`NOTIFY_DESTINATIONS`). */
export function destinationsFromEnv(env: NodeJS.ProcessEnv = process.env): Destinations {
  return parseDestinations(env[DESTINATIONS_VARIABLE]);
}
