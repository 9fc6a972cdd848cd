// Bundled by workerd-wasm.test.ts: the whole shim (createWorker + the counter fixture, with
// `cloudflare:workers` aliased to dotdo's runtime) running inside workerd as plain Worker code.
// All calls happen within one request: workerd cancels a request's timers when it ends, and
// the shim's input gate reopens on a timer.
// @ts-expect-error -- a wasm module import, resolved by workerd
import sqlWasm from "./sql-wasm.wasm";
import * as counter from "../../fixtures/counter/src/index";
import { createWorker, type Worker } from "../../../src/runtime/worker";

export default {
  async fetch(request: Request): Promise<Response> {
    const worker: Worker = await createWorker(counter, {
      durableObjects: { COUNTER: { className: "Counter" } },
      vars: { GREETING: "from the shim in workerd" },
      sqlWasm: sqlWasm as WebAssembly.Module,
    });
    const results: unknown[] = [];
    for (const path of new URL(request.url).searchParams.getAll("path")) {
      results.push(await (await worker.fetch(new Request(new URL(path, request.url)))).json());
    }
    await worker.dispose();
    return Response.json({ results });
  },
};
