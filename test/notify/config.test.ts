/**
 * Where notifications are configured: the destinations in the app's environment (errors name the
 * variable and the destination, never a secret) and the routes in `.github/hotfix-guard.yml` (an
 * unknown destination is a configuration problem with its path, as the check run shows it), and
 * the messages' escaping for each chat.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { setKnownDestinations } from "../../src/config/schema-notifications.js";
import { DestinationsError, parseDestinations } from "../../src/notify/destinations.js";
import { escapeSlack, escapeTeams } from "../../src/notify/escape.js";
import { GALLERY_END, GALLERY_START, NOTIFICATIONS_DOC, renderGallery } from "../../src/notify/reference.js";
import { renderInvalidConfigCheck } from "../../src/render/check-run.js";

const FILE = "acme/payments:.github/hotfix-guard.yml";

afterEach(() => setKnownDestinations(null));

function problemOf(text: string | undefined): string {
  try {
    parseDestinations(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DestinationsError);
    return (error as Error).message;
  }
  throw new Error("expected a DestinationsError");
}

describe("NOTIFY_DESTINATIONS", () => {
  it("reads every kind of destination by name; unset or empty means none", () => {
    const destinations = parseDestinations(
      JSON.stringify({
        incidents: { type: "slack-webhook", url: "https://hooks.slack.com/services/T/B/X" },
        "kars-incidents": { type: "slack-bot", token: "xoxb-1", channel: "C0123" },
        audit: { type: "teams", url: "https://prod-00.westeurope.logic.azure.com/workflows/1" },
        oncall: { type: "webhook", url: "https://events.example/hooks", secret: "0123456789abcdef" },
      }),
    );
    expect([...destinations.keys()]).toEqual(["incidents", "kars-incidents", "audit", "oncall"]);
    expect(destinations.get("kars-incidents")).toEqual({ name: "kars-incidents", type: "slack-bot", token: "xoxb-1", channel: "C0123" });
    expect(parseDestinations(undefined).size).toBe(0);
    expect(parseDestinations("  ").size).toBe(0);
  });

  it("names the variable and the destination, and never echoes a secret", () => {
    expect(problemOf("{not json")).toMatch(/^NOTIFY_DESTINATIONS is not valid JSON/);
    expect(problemOf("[]")).toBe("NOTIFY_DESTINATIONS must be a JSON object of named destinations");
    expect(problemOf(JSON.stringify({ incidents: { type: "discord", url: "https://x.example" } }))).toBe(
      'NOTIFY_DESTINATIONS: destination "incidents": `type`: expected one of slack-webhook, slack-bot, teams, webhook',
    );
    const secret = "short-secret";
    const message = problemOf(JSON.stringify({ oncall: { type: "webhook", url: "ftp://hooks.example/xyz-private", secret } }));
    expect(message).toContain('destination "oncall"');
    expect(message).toContain("`url`: expected an http(s) URL");
    expect(message).toContain("`secret`: expected at least 16 characters");
    expect(message).not.toContain(secret);
    expect(message).not.toContain("xyz-private");
    expect(problemOf(JSON.stringify({ "bad name!": { type: "teams", url: "https://x.example" } }))).toContain('destination "bad name!": a name is letters');
    expect(problemOf(JSON.stringify({ a: { type: "teams", url: "https://x.example", token: "xoxb-leak" } }))).toBe('NOTIFY_DESTINATIONS: destination "a": unknown key(s) `token`');
  });
});

describe("notifications routes", () => {
  const routes = { notifications: { routes: [{ events: ["opened"], to: ["incidents", "oncal"] }] } };

  it("an unknown destination is a configuration problem at its path, shown on the check run", () => {
    setKnownDestinations(["incidents", "oncall"]);
    const result = resolveConfig([{ location: FILE, config: routes }]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ file: FILE, path: "notifications.routes[0].to[1]", expected: 'a destination the app\'s NOTIFY_DESTINATIONS defines: "incidents", "oncall"', found: '"oncal"' }]);
    expect(renderInvalidConfigCheck(result.problems, result.files).summary).toContain("notifications.routes[0].to[1]");
  });

  it("with no destination defined, any name is unknown; the command line (names unknown) does not check", () => {
    setKnownDestinations([]);
    const refused = resolveConfig([{ location: FILE, config: routes }]);
    expect(refused.ok ? [] : refused.problems.map((problem) => problem.expected)).toContain("a destination the app's NOTIFY_DESTINATIONS defines (the app defines none: ask its operator)");
    setKnownDestinations(null);
    expect(resolveConfig([{ location: FILE, config: routes }]).ok).toBe(true);
  });

  it("an unknown event is refused with the known ones; defaults send nothing and wait 30 minutes for a reviewer", () => {
    const result = resolveConfig([{ location: FILE, config: { notifications: { routes: [{ events: ["opend"], to: ["incidents"] }] } } }]);
    expect(result.ok ? "" : result.problems[0]?.expected).toMatch(/^one of "opened", "awaiting-review"/);
    const defaults = resolveConfig([{ location: FILE, config: null }]);
    expect(defaults.ok && defaults.policy.config.notifications).toEqual({ routes: [], review_wait_minutes: 30 });
  });
});

describe("escaping user text per chat", () => {
  const hostile = "<!channel> <@U123> @here <https://evil.example|click> *b* _i_ ~s~ `c` & more\nnext line";

  it("Slack: no mention, link or formatting survives; one line", () => {
    const text = escapeSlack(hostile);
    expect(text).not.toMatch(/[<>*_~`\n]|@here|@U/);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).toContain("&amp; more next line");
  });

  it("Teams: no <at> mention, [text](url) link or emphasis survives, and no value starts a list", () => {
    const text = escapeTeams("- [x](https://evil.example) <at>boss</at> **b** @channel");
    expect(text).not.toMatch(/[<>*[\]]|@channel/);
    expect(text.startsWith("\u2060")).toBe(true);
  });

  it("cuts long values", () => {
    expect([...escapeSlack("x".repeat(1000))]).toHaveLength(300);
  });
});

describe("docs/notifications.md", () => {
  it("shows every message as the renderers produce it (run `npm run docs` after changing one)", () => {
    const doc = readFileSync(NOTIFICATIONS_DOC, "utf8");
    const gallery = doc.slice(doc.indexOf(GALLERY_START) + GALLERY_START.length, doc.indexOf(GALLERY_END)).trim();
    expect(gallery).toBe(renderGallery());
  });
});
