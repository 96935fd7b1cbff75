/**
 * A durable server on PGlite whose notifications go to a local fake Slack webhook (`incidents`),
 * fresh for each test of the `describe` that calls {@link durableServerWithChat}: the database and
 * the fake chat are shared by the file, the tables, the clock and the server are new per test.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { setKnownDestinations } from "../../src/config/schema-notifications.js";
import { parseDestinations } from "../../src/notify/destinations.js";
import type { Database } from "../../src/store/database.js";
import { BACKENDS, FakeClock, HOOK_TIMEOUT_MS, resetTables } from "./databases.js";
import { startDurableServer, type DurableServer } from "./durable.js";
import { startFakeChat, type FakeChat } from "./fake-chat.js";

/** What a test uses; set by the hooks before each test. */
export interface DurableChat {
  db: Database;
  fake: FakeChat;
  clock: FakeClock;
  server: DurableServer;
}

/** Registers the hooks and returns the harness they fill; the clock starts at `start` in each test. */
export function durableServerWithChat(start: Date): DurableChat {
  const pglite = BACKENDS[0] as NonNullable<(typeof BACKENDS)[0]>;
  const harness = {} as DurableChat;
  beforeAll(async () => {
    harness.db = await pglite.open();
    harness.fake = await startFakeChat();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await harness.fake.close();
    await pglite.dispose(harness.db);
    setKnownDestinations(null);
  }, HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    await resetTables(harness.db);
    harness.fake.received.length = 0;
    harness.clock = new FakeClock(start);
    const notifyDestinations = parseDestinations(JSON.stringify({ incidents: { type: "slack-webhook", url: `${harness.fake.url}/slack/incidents` } }));
    harness.server = await startDurableServer(harness.db, harness.clock, undefined, { notifyDestinations });
  });
  afterEach(() => harness.server.stop());
  return harness;
}
