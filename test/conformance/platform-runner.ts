/**
 * Entry bundled for Bun and Deno: runs every conformance scenario on the shim in that
 * runtime and prints a `PlatformRun` as JSON: the results, and the ids some names map to
 * (which must be the same on every platform). The sql.js wasm path is fixed at
 * bundle time (`SQL_WASM_PATH`), read with the runtime's own `node:fs`.
 */
import { readFile } from "node:fs/promises";
import { createWorker } from "../../src/runtime/worker";
import { ID_NAMES, idsOf, runScenario, type PlatformRun } from "./run-scenario";
import * as conformanceWorker from "./worker/index";
import { DURABLE_OBJECTS, VARS } from "./worker/env";
import { scenarios } from "./worker/scenarios";

declare const SQL_WASM_PATH: string;

const worker = await createWorker(conformanceWorker, {
  durableObjects: Object.fromEntries(Object.entries(DURABLE_OBJECTS).map(([binding, className]) => [binding, { className }])),
  vars: VARS,
  sqlWasm: await readFile(SQL_WASM_PATH),
});
const names = Object.keys(scenarios);
const results = await Promise.all(
  names.map((name) => runScenario({ label: "platform", fetch: (r) => worker.fetch(r) }, name).catch((e: unknown) => ({ harnessError: String(e) }))),
);
const run: PlatformRun = {
  scenarios: Object.fromEntries(names.map((name, i) => [name, results[i]])),
  ids: idsOf(worker.env, ID_NAMES),
};
await worker.dispose();
console.log(JSON.stringify(run));
