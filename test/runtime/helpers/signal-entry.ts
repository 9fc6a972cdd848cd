// Bundled by node-signals.test.ts into a standalone script: serves the counter fixture and,
// on shutdown, records that every object went through beforeEvict (after EVICT_DELAY_MS, to
// stand in for a slow final checkpoint).
import { writeFileSync } from "node:fs";
import * as counter from "../../fixtures/counter/src/index";
import { readSqlWasm, serve } from "../../../src/runtime/platform/node";
import { createWorker } from "../../../src/runtime/worker";

const evicted: string[] = [];
const worker = await createWorker(counter, {
  durableObjects: { COUNTER: { className: "Counter" } },
  vars: { GREETING: "hello" },
  sqlWasm: await readSqlWasm(),
  lifecycle: {
    beforeEvict: async (ref, db) => {
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.EVICT_DELAY_MS ?? 0)));
      evicted.push(`${ref.name}:${String(db.query("SELECT count(*) FROM hits")[0]?.[0])}`);
      writeFileSync(process.env.EVICTED_FILE!, JSON.stringify(evicted));
    },
  },
});
await serve(worker, { port: 0, host: "127.0.0.1" });
