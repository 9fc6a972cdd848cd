import { Miniflare } from "miniflare";
import { serve } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import { freePort } from "../presets/harness/process";

export interface WorkerOnBoth {
  /** The Worker on workerd (miniflare, listening on a real port). */
  workerdUrl: string;
  /** The same Worker on the node output's server (`createWorker` + `serve`). */
  nodeUrl: string;
  close(): Promise<void>;
}

export interface WorkerOnBothOptions {
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  /** Durable Object binding → class name. */
  durableObjects?: Record<string, string>;
}

/** One Worker module's source, served by workerd and by the node output, for tests that talk raw HTTP to both. */
export async function workerOnBoth(script: string, { compatibilityDate = "2025-09-01", compatibilityFlags = [], durableObjects = {} }: WorkerOnBothOptions = {}): Promise<WorkerOnBoth> {
  const port = await freePort();
  const mf = new Miniflare({ modules: true, script, compatibilityDate, compatibilityFlags, durableObjects, host: "127.0.0.1", port });
  await mf.ready;
  const module = (await import(`data:text/javascript,${encodeURIComponent(script)}`)) as Parameters<typeof createWorker>[0];
  const worker = await createWorker(module, {
    durableObjects: Object.fromEntries(Object.entries(durableObjects).map(([binding, className]) => [binding, { className }])),
    compatibilityDate,
    compatibilityFlags,
  });
  const server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
  return {
    workerdUrl: `http://127.0.0.1:${port}`,
    nodeUrl: server.url,
    async close() {
      await server.close();
      await mf.dispose();
    },
  };
}
