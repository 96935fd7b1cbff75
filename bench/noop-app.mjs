// The bench's baseline: a Probot app that registers nothing, started by Probot's own `run` from
// the environment (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, HOST), in a process of its own.
// It verifies each delivery's signature as Hotfix Guard does and answers; `/ping` says it is up.
import { run } from "probot";

await run(() => undefined, { env: process.env });
