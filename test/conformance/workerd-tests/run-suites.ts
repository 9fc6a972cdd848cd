/**
 * Runs every ported workerd test suite on the shim in whatever runtime evaluates this module
 * (Node in the test process; Bun, Deno and edge-runtime through a bundle).
 */
import { createWorker, type CreateWorkerOptions, type WorkerModule } from "../../../src/runtime/worker";
import assert from "node:assert";
import { takeCallableThenables, testRunner, type TestOutcome } from "./glue";
import { COMPATIBILITY_DATE, SUITES, type PortedSuite } from "./suites";

/** Suite name → test name → outcome. */
export type SuiteResults = Record<string, Record<string, TestOutcome>>;

/** The ported test modules by file name. */
export type PortedModules = Readonly<Record<string, WorkerModule>>;

export type ShimTuning = Pick<CreateWorkerOptions, "sqlWasm" | "suspendAfterMs">;

/** Each suite in its own Worker, all at once; the tests of one suite in order, as workerd runs them. */
export async function runSuitesOnShim(modules: PortedModules, tuning: ShimTuning = {}): Promise<SuiteResults> {
  takeCallableThenables(assert as unknown as Parameters<typeof takeCallableThenables>[0]);
  const results = await Promise.all(SUITES.map((suite) => runSuite(suite, modules[suite.file]!, tuning)));
  return Object.fromEntries(SUITES.map((suite, i) => [suite.name, results[i]!]));
}

async function runSuite(suite: PortedSuite, mod: WorkerModule, tuning: ShimTuning): Promise<Record<string, TestOutcome>> {
  const worker = await createWorker(
    { ...mod, default: testRunner(mod) },
    {
      durableObjects: Object.fromEntries(Object.entries(suite.durableObjects).map(([binding, { className }]) => [binding, { className }])),
      vars: { ...suite.bindings },
      services: Object.fromEntries(Object.entries(suite.services ?? {}).map(([binding, entrypoint]) => [binding, { entrypoint }])),
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: [...suite.compatibilityFlags],
      ...tuning,
    },
  );
  try {
    return await runTests((path) => worker.fetch(new Request(`http://workerd-tests${path}`)));
  } finally {
    await worker.dispose();
  }
}

/** Lists a Worker's tests and runs them one after the other through `get`. */
export async function runTests(get: (path: string) => Promise<Response>): Promise<Record<string, TestOutcome>> {
  const names = (await (await get("/tests")).json()) as string[];
  const results: Record<string, TestOutcome> = {};
  for (const name of names) results[name] = (await (await get(`/run/${encodeURIComponent(name)}`)).json()) as TestOutcome;
  return results;
}
