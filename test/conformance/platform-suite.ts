/**
 * The whole conformance suite on the shim in whatever runtime evaluates this module: used
 * by the Bun / Deno entry (`platform-runner.ts`) and by the edge-runtime script.
 */
import { createWorker } from "../../src/runtime/worker";
import { ID_NAMES, idsOf, runScenario, type PlatformRun } from "./run-scenario";
import * as conformanceWorker from "./worker/index";
import { DURABLE_OBJECTS, VARS } from "./worker/env";
import { scenarios } from "./worker/scenarios";

/** Runs every scenario at once; `sqlWasm` is the sql.js wasm, read by the caller. */
export async function runSuite(sqlWasm: Uint8Array): Promise<PlatformRun> {
  const worker = await createWorker(conformanceWorker, {
    durableObjects: Object.fromEntries(Object.entries(DURABLE_OBJECTS).map(([binding, className]) => [binding, { className }])),
    vars: VARS,
    sqlWasm,
  });
  try {
    const names = Object.keys(scenarios);
    const results = await Promise.all(
      names.map((name) =>
        runScenario({ label: "platform", fetch: (r) => worker.fetch(r) }, name).catch((e: unknown) => ({ harnessError: String(e) })),
      ),
    );
    return {
      scenarios: Object.fromEntries(names.map((name, i) => [name, results[i]])),
      ids: idsOf(worker.env, ID_NAMES),
    };
  } finally {
    await worker.dispose();
  }
}
