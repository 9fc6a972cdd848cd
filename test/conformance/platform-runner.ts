/**
 * Entry bundled for Bun and Deno: runs every conformance scenario on the shim in that
 * runtime and prints `{ [scenario]: result }` as JSON. The sql.js wasm path is fixed at
 * bundle time (`SQL_WASM_PATH`), read with the runtime's own `node:fs`.
 */
import { readFile } from "node:fs/promises";
import { createWorker } from "../../src/runtime/worker";
import { runScenario } from "./run-scenario";
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
await worker.dispose();
console.log(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, results[i]]))));
