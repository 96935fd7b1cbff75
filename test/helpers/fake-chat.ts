/**
 * Local stand-ins for the chat services notifications go to, on loopback: a Slack incoming
 * webhook, Slack's Web API (`chat.postMessage`), a Teams workflow webhook and a generic webhook
 * receiver. Each records every request (path, headers, raw body) and answers with the next
 * scripted answer for its path, else with what the real service answers on success.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, type Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrations.js";
import { HOOK_TIMEOUT_MS } from "./databases.js";

/** A request the fake received. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A scripted answer. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** The running fake. */
export interface FakeChat {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Queues answers for a path (used in order, then the default success). */
  script(path: string, ...answers: ScriptedAnswer[]): void;
  /** Every request to a path. */
  to(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

function success(path: string, count: number): ScriptedAnswer {
  if (path.endsWith("/chat.postMessage")) return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true, channel: "C0INCIDENTS", ts: `1700000000.${String(count).padStart(6, "0")}` }) };
  if (path.startsWith("/teams")) return { status: 202, body: "" };
  return { status: 200, body: "ok" };
}

/** Starts the fake on a free loopback port. */
export async function startFakeChat(): Promise<FakeChat> {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = scripts.get(path)?.shift() ?? success(path, received.filter((r) => r.path === path).length);
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (path, ...answers) => scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    to: (path) => received.filter((request) => request.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a notification test file shares: a migrated in-memory database and a fake chat server. */
export interface ChatTestBed {
  db: Database;
  fake: FakeChat;
}

/** Opens the file's {@link ChatTestBed} before its tests and closes it after them; filled once the hooks have run. */
export function chatTestBed(): ChatTestBed {
  const bed = {} as ChatTestBed;
  beforeAll(async () => {
    bed.db = await openDatabase({ dataDir: "memory://" });
    await migrate(bed.db);
    bed.fake = await startFakeChat();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await bed.fake?.close();
    await bed.db?.close();
  }, HOOK_TIMEOUT_MS);
  return bed;
}
