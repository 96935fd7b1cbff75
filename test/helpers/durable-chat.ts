/**
 * A durable server on PGlite whose notifications go to a local fake Slack webhook (`incidents`),
 * fresh for each test of the `describe` that calls {@link durableServerWithChat}: the database and
 * the fake chat are shared by the file, the tables, the clock and the server are new per test
 * ({@link durableServerPerTest}).
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { setKnownDestinations } from "../../src/config/schema-notifications.js";
import { parseDestinations } from "../../src/notify/destinations.js";
import { BACKENDS, HOOK_TIMEOUT_MS } from "./databases.js";
import { durableServerPerTest, type DurableTestBed } from "./durable.js";
import { startFakeChat, type FakeChat } from "./fake-chat.js";

/** What a test uses; set by the hooks before each test. */
export interface DurableChat extends DurableTestBed {
  fake: FakeChat;
}

/** Registers the hooks and returns the harness they fill; the clock starts at `start` in each test. */
export function durableServerWithChat(start: Date): DurableChat {
  const pglite = BACKENDS[0] as NonNullable<(typeof BACKENDS)[0]>;
  const harness = durableServerPerTest(pglite, start, () => ({
    notifyDestinations: parseDestinations(JSON.stringify({ incidents: { type: "slack-webhook", url: `${harness.fake.url}/slack/incidents` } })),
  })) as DurableChat;
  beforeAll(async () => {
    harness.fake = await startFakeChat();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await harness.fake.close();
    setKnownDestinations(null);
  }, HOOK_TIMEOUT_MS);
  beforeEach(() => {
    harness.fake.received.length = 0;
  });
  return harness;
}
