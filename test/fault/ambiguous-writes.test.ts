/**
 * Issue 9, defects 1 and 8, reproduced from outside the app: Hotfix Guard runs as in production
 * (its own Octokit, GitHub's retry plugin on, redelivery of a failed delivery up to six times,
 * timed jobs run when due) against a fake GitHub over HTTP that injects faults into each kind of
 * create: one fault of each kind, four in a row on successive attempts, and an unanswered create
 * whose lookup listing fails too. Whatever the fault (a 502 before or after the item was created,
 * a reset connection before or after, a secondary rate limit, an answer that never comes), the end
 * state on GitHub must hold exactly what the fault-free run makes: every item once, none lost,
 * none twice. A summary of lost and duplicated writes is printed after the file.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, FAULT_KINDS, type FaultKind, type FaultRule } from "./fake-github.js";
import { AppUnderTest, Clock, FAULT_APP_ID, TIMEOUT_HOLD_MS, type DeliveryResult } from "./harness.js";
import { blindLookup, CREATE_KINDS, difference, faultOn, inventory, NOW, SCENARIOS, seedWorld, type Inventory, type Scenario, type ScenarioName } from "./scenarios.js";

/** Timed jobs due within this window after a delivery run before the end state is read. */
const JOB_WINDOW_MS = 2 * 3_600_000;

const clock = new Clock(NOW);
const fake = new FakeGitHub({ appId: FAULT_APP_ID, now: clock.now, timeoutHoldMs: TIMEOUT_HOLD_MS });
const baselines = new Map<ScenarioName, Inventory>();
/** Faults one after the other on the same create: not applied, applied, applied and unanswered, not applied. */
const MIX: readonly FaultKind[] = ["reset", "ambiguous-5xx", "timeout", "5xx"];
const results: { scenario: string; fault: string; lost: number; duplicated: number; unexpected: number; detail: string[] }[] = [];

beforeAll(async () => {
  await fake.start();
});

afterAll(async () => {
  await fake.stop();
  const sum = (key: "lost" | "duplicated" | "unexpected") => results.reduce((total, result) => total + result[key], 0);
  const lines = results.filter((r) => r.detail.length > 0).map((r) => `  ${r.scenario} / ${r.fault}: ${r.detail.join(", ")}`);
  console.log(
    [`fault suite: ${results.length} scenarios run, ${sum("lost")} writes lost, ${sum("duplicated")} writes duplicated, ${sum("unexpected")} unexpected items`, ...lines].join("\n"),
  );
});

beforeEach(() => {
  fake.reset();
  clock.reset();
});

/** Seeds the scenario's world, brings it to its starting point, injects the faults and delivers the event. */
async function run(scenario: Scenario, faults: readonly FaultRule[] = []): Promise<{ delivery: DeliveryResult; app: AppUnderTest }> {
  fake.reset();
  clock.reset();
  seedWorld(fake, scenario.world);
  const app = await AppUnderTest.start(fake.url, clock);
  if (scenario.before) {
    const { deliveries, then } = scenario.before(fake, clock);
    for (const delivery of deliveries) {
      const result = await app.deliver(delivery);
      if (!result.ok) throw new Error(`the fault-free setup delivery failed: ${result.errors.join("; ")}`);
    }
    await app.runDueJobs(JOB_WINDOW_MS);
    then?.();
  }
  for (const fault of faults) fake.inject(fault);
  const delivery = await app.deliver(scenario.delivery());
  await app.runDueJobs(JOB_WINDOW_MS);
  return { delivery, app };
}

/** What the scenario makes without faults (computed once per file). */
async function baseline(name: ScenarioName): Promise<Inventory> {
  const known = baselines.get(name);
  if (known) return known;
  const { delivery } = await run(SCENARIOS[name]);
  if (!delivery.ok) throw new Error(`the fault-free run of "${SCENARIOS[name].name}" failed: ${delivery.errors.join("; ")}`);
  const made = inventory(fake);
  baselines.set(name, made);
  return made;
}

describe("without faults (the reference every fault run is held to)", () => {
  it.each(Object.keys(SCENARIOS) as ScenarioName[])("%s: one of each item, every delivery handled at the first attempt, no unknown request", async (name) => {
    const { delivery } = await run(SCENARIOS[name]);
    expect(fake.unknown).toStrictEqual([]);
    expect(delivery, delivery.errors.join("; ")).toMatchObject({ ok: true, attempts: 1 });
    const made = inventory(fake);
    expect(Object.entries(made).filter(([, count]) => count !== 1)).toStrictEqual([]);
    baselines.set(name, made);
  });

  it("makes every kind of item the fault runs hit", async () => {
    expect(await baseline("opened")).toHaveProperty([`check run "Hotfix Guard" on a1b2c3d`], 1);
    expect(await baseline("merged")).toMatchObject({
      "audit comment": 1,
      "issue hotfix:bypass-unjustified (open)": 1,
      "issue hotfix:post-incident (open, assigned @dev-alice)": 1,
      "issue hotfix:merge-back (open, assigned @dev-alice)": 1,
      "label hotfix on #42": 1,
      "label hotfix:bypass on #42": 1,
      "label hotfix:bypass-unjustified on #42": 1,
    });
    expect(await baseline("backMerge")).toMatchObject({
      [`pull request hotfix/v1.4.3-default-currency → develop (open)`]: 1,
      [`pull request hotfix/v1.4.3-default-currency → release/1.4 (open)`]: 1,
    });
    expect(await baseline("complete")).toMatchObject({ '"merge-back complete" note': 1 });
    expect(await baseline("pushCompletes")).toMatchObject({ "reminder closing comment": 1, "issue hotfix:merge-back (closed, assigned @dev-alice)": 1 });
    expect(await baseline("protection")).toMatchObject({ "issue hotfix:protection-log (open)": 1, "protection-log entry": 1 });
    expect(await baseline("overdue")).toMatchObject({ "reminder escalation comment": 1, "issue hotfix:merge-back (open, assigned @dev-alice)": 1 });
    expect(await baseline("directPush")).toMatchObject({ [`check run "Hotfix Guard: configuration" on ccccccc`]: 1, "issue hotfix:bypass-unjustified (open)": 1 });
    expect(await baseline("refused")).toMatchObject({ "command refusal comment": 1 });
    expect(await baseline("invalidConfig")).toMatchObject({ [`check run "Hotfix Guard" on 9999999`]: 1 });
    expect(await baseline("misnamed")).toMatchObject({ [`check run "Hotfix Guard: branch name" on a1b2c3d`]: 1 });
  });
});

describe.each(CREATE_KINDS)("$name", (kind) => {
  it.each(FAULT_KINDS)("under %s: exactly one of each item, nothing lost", async (fault) => {
    const expected = await baseline(kind.scenario);
    await run(SCENARIOS[kind.scenario], [faultOn(kind, fault)]);
    const actual = inventory(fake);
    results.push({ scenario: kind.name, fault, ...difference(expected, actual) });
    expect(fake.faultsFired.map((fired) => fired.rule.label)).toContain(kind.name);
    expect(fake.unknown).toStrictEqual([]);
    expect(actual).toStrictEqual(expected);
  });
});

describe.each(CREATE_KINDS)("$name, under a mix of faults on successive attempts", (kind) => {
  it(`(${MIX.join(", ")}): exactly one of each item, nothing lost`, async () => {
    const expected = await baseline(kind.scenario);
    await run(
      SCENARIOS[kind.scenario],
      MIX.map((fault, index) => faultOn(kind, fault, [index + 1])),
    );
    const actual = inventory(fake);
    results.push({ scenario: kind.name, fault: `mix ${MIX.join("/")}`, ...difference(expected, actual) });
    expect(fake.faultsFired.length).toBeGreaterThan(0);
    expect(fake.unknown).toStrictEqual([]);
    expect(actual).toStrictEqual(expected);
  });
});

describe.each(CREATE_KINDS.filter((kind) => kind.lookup))("$name, carried out unanswered while the listing that shows it fails too", (kind) => {
  it("is neither created twice nor lost: a failed lookup is not taken for \"none yet\"", async () => {
    const expected = await baseline(kind.scenario);
    await run(SCENARIOS[kind.scenario], blindLookup(kind));
    const actual = inventory(fake);
    results.push({ scenario: kind.name, fault: "ambiguous-5xx, then its lookup reset", ...difference(expected, actual) });
    expect(fake.faultsFired.map((fired) => fired.rule.label)).toContain(kind.name);
    expect(fake.faultsFired.map((fired) => fired.rule.label)).toContain(`${kind.name}: lookup`);
    expect(fake.unknown).toStrictEqual([]);
    expect(actual).toStrictEqual(expected);
  });
});

describe("merge-back writes rate-limited for longer than the delivery's six attempts (defect 8)", () => {
  it("are completed by a later timed re-check once GitHub recovers: one reminder, nothing else lost", async () => {
    const expected = await baseline("merged");
    const reminder = CREATE_KINDS.find((kind) => kind.name === "merge-back reminder issue");
    if (!reminder) throw new Error("no reminder kind");
    fake.reset();
    clock.reset();
    seedWorld(fake, SCENARIOS.merged.world);
    const app = await AppUnderTest.start(fake.url, clock);
    fake.inject(faultOn(reminder, "secondary-limit", "all"));
    await app.deliver(SCENARIOS.merged.delivery());
    expect(fake.faultsFired.length).toBeGreaterThan(0);
    expect(Object.keys(inventory(fake)).filter((item) => item.startsWith("issue hotfix:merge-back"))).toStrictEqual([]);

    fake.recover();
    await app.runDueJobs(JOB_WINDOW_MS);

    const actual = inventory(fake);
    results.push({ scenario: "merge-back reminder issue", fault: "rate-limited beyond six attempts", ...difference(expected, actual) });
    expect(fake.unknown).toStrictEqual([]);
    expect(actual).toStrictEqual(expected);
  });
});
