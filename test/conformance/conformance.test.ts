/**
 * The proof that the shim behaves like workerd: every scenario of the conformance Worker
 * runs on workerd (miniflare, SQLite-backed objects) and on the shim — in Node (this
 * process), Bun, Deno and edge-runtime — and each shim result must equal workerd's.
 * Pinned expectations check a few results on every runtime, so that both being wrong the
 * same way is caught too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PINNED } from "./pinned";
import {
  CONFORMANCE_WORKER,
  ID_NAMES,
  idsOf,
  runOnPlatform,
  runScenario,
  startShim,
  startWorkerd,
  type Platform,
  type PlatformRun,
  type RunningWorker,
  type ShimWorker,
} from "./runtimes";
import { scenarios } from "./worker/scenarios";

const NAMES = Object.keys(scenarios);

type Runtime = "workerd" | "node" | "node, suspending" | Platform;
const PLATFORMS = ["bun", "deno", "edge"] as const satisfies readonly Platform[];
/**
 * "node, suspending" closes every object's SQLite connection as soon as it is idle
 * (`suspendAfterMs: 0`) and reopens it from its image on the next event: suspension must
 * never show.
 */
const SHIM_RUNTIMES = ["node", "node, suspending", ...PLATFORMS] as const;

/**
 * Scenarios the shim is known to fail, per runtime; each is listed in docs/compat.md under
 * "Known gaps" with its reason. Marked `it.fails`, so fixing one turns the test red until
 * it is taken off this list.
 */
/** Each is a row of docs/compat.md, "Known gaps", which gives the reason. */
const EVERY_ENGINE_GAPS = [
  "sql full-text search (FTS5)",
  "sql JSON from a scalar subquery",
  "sql rowsRead and rowsWritten",
  "sql writes during a cursor's iteration",
];
const KNOWN_GAPS: Record<Runtime, ReadonlySet<string>> = {
  workerd: new Set(),
  node: new Set(EVERY_ENGINE_GAPS),
  "node, suspending": new Set(EVERY_ENGINE_GAPS),
  bun: new Set(EVERY_ENGINE_GAPS),
  deno: new Set(EVERY_ENGINE_GAPS),
  // edge-runtime's sandbox has no AsyncLocalStorage (docs/compat.md).
  edge: new Set([...EVERY_ENGINE_GAPS, "kv transaction: two started a turn apart"]),
};

const workers: Promise<RunningWorker>[] = [];
const results = new Map<string, Promise<unknown>>();
let nodeShim: Promise<ShimWorker>;
const platformRuns = new Map<Platform, Promise<PlatformRun>>();

function remember(runtime: Runtime, name: string, result: Promise<unknown>): void {
  result.catch(() => {}); // reported by the test that awaits it
  results.set(`${runtime}:${name}`, result);
}

/** Starts every scenario at once: the whole suite costs about its slowest scenario. */
function startInProcess(runtime: Runtime, start: Promise<RunningWorker>): void {
  workers.push(start);
  for (const name of NAMES) remember(runtime, name, start.then((w) => runScenario(w, name)));
}

function startOnPlatform(runtime: Platform): void {
  const run = runOnPlatform(runtime);
  platformRuns.set(runtime, run);
  for (const name of NAMES) remember(runtime, name, run.then((r) => r.scenarios[name]));
}

function resultOf(runtime: Runtime, name: string): Promise<unknown> {
  const result = results.get(`${runtime}:${name}`);
  if (!result) throw new Error(`no ${runtime} run of scenario "${name}"`);
  return result;
}

beforeAll(() => {
  startInProcess("workerd", startWorkerd(CONFORMANCE_WORKER));
  nodeShim = startShim(CONFORMANCE_WORKER);
  startInProcess("node", nodeShim);
  startInProcess("node, suspending", startShim(CONFORMANCE_WORKER, { suspendAfterMs: 0 }));
  for (const platform of PLATFORMS) startOnPlatform(platform);
});

afterAll(async () => {
  await Promise.allSettled(results.values());
  await Promise.allSettled(workers.map(async (w) => (await w).dispose()));
});

describe.each(SHIM_RUNTIMES)("shim on %s matches workerd", (runtime) => {
  for (const name of NAMES) {
    const test = KNOWN_GAPS[runtime].has(name) ? it.fails : it;
    test(name, async () => {
      const [workerd, shim] = await Promise.all([resultOf("workerd", name), resultOf(runtime, name)]);
      expect(shim).toEqual(workerd);
    });
  }
});

describe.each(["workerd", ...SHIM_RUNTIMES] as const)("pinned expectations on %s", (runtime) => {
  for (const [name, check] of Object.entries(PINNED)) {
    const test = KNOWN_GAPS[runtime].has(name) ? it.fails : it;
    test(name, async () => {
      check(await resultOf(runtime, name));
    });
  }
});

describe.each(PLATFORMS)("shim ids on %s", (runtime) => {
  it("are the ids Node derives from the same names", async () => {
    const run = platformRuns.get(runtime);
    if (!run) throw new Error(`no ${runtime} run`);
    const expected = idsOf((await nodeShim).env, ID_NAMES);
    expect(Object.values(expected).every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect((await run).ids).toEqual(expected);
  });
});
