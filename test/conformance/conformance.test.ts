/**
 * The proof that the shim behaves like workerd: every scenario of the conformance Worker
 * runs on workerd (miniflare, SQLite-backed objects) and on the shim, and the shim's result
 * must equal workerd's. Pinned expectations check a few results on both runtimes, so that
 * both being wrong the same way is caught too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFORMANCE_WORKER, runScenario, startShim, startWorkerd, type RunningWorker } from "./runtimes";
import { PINNED } from "./pinned";
import { scenarios } from "./worker/scenarios";

const NAMES = Object.keys(scenarios);

/** Scenarios the shim is known to fail; each is listed in docs/compat.md under "Known gaps". */
const KNOWN_GAPS = new Set<string>([]);

type Runtime = "workerd" | "shim";
const workers = new Map<Runtime, Promise<RunningWorker>>();
const results = new Map<string, Promise<unknown>>();

/** Starts every scenario at once on a runtime: the whole suite costs about its slowest scenario. */
function startAll(runtime: Runtime, worker: Promise<RunningWorker>): void {
  workers.set(runtime, worker);
  for (const name of NAMES) {
    const result = worker.then((w) => runScenario(w, name));
    result.catch(() => {}); // reported by the test that awaits it
    results.set(`${runtime}:${name}`, result);
  }
}

function resultOf(runtime: Runtime, name: string): Promise<unknown> {
  const result = results.get(`${runtime}:${name}`);
  if (!result) throw new Error(`no ${runtime} run of scenario "${name}"`);
  return result;
}

beforeAll(() => {
  startAll("workerd", startWorkerd(CONFORMANCE_WORKER));
  startAll("shim", startShim(CONFORMANCE_WORKER));
});

afterAll(async () => {
  await Promise.allSettled([...results.values()]);
  await Promise.allSettled([...workers.values()].map(async (w) => (await w).dispose()));
});

describe("shim matches workerd", () => {
  for (const name of NAMES) {
    const test = KNOWN_GAPS.has(name) ? it.fails : it;
    test(name, async () => {
      const [workerd, shim] = await Promise.all([resultOf("workerd", name), resultOf("shim", name)]);
      expect(shim).toEqual(workerd);
    });
  }
});

describe.each(["workerd", "shim"] as const)("pinned expectations on %s", (runtime) => {
  for (const [name, check] of Object.entries(PINNED)) {
    const test = runtime === "shim" && KNOWN_GAPS.has(name) ? it.fails : it;
    test(name, async () => {
      check(await resultOf(runtime, name));
    });
  }
});
