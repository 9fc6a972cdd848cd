/**
 * Starts the conformance Worker on each runtime behind one interface, so a test (or the
 * benchmark) can send the same request to workerd and to the shim.
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { DURABLE_OBJECTS, VARS } from "./worker/env";

export interface RunningWorker {
  readonly label: "workerd" | "shim";
  fetch(request: Request): Promise<Response>;
  dispose(): Promise<void>;
}

export type DurableObjectBindings = Record<string, string>;

export interface WorkerSource {
  /** Path of the Worker entry module (TypeScript is fine). */
  entry: string;
  durableObjects: DurableObjectBindings;
  vars?: Record<string, string>;
}

export const CONFORMANCE_WORKER: WorkerSource = {
  entry: fileURLToPath(new URL("./worker/index.ts", import.meta.url)),
  durableObjects: DURABLE_OBJECTS,
  vars: VARS,
};

/** Bundles the entry the way a user's Worker is deployed: ESM, `cloudflare:*` left to the runtime. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  return file.text;
}

export async function startWorkerd(source: WorkerSource): Promise<RunningWorker> {
  const script = await bundle(source.entry);
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-09-01",
    bindings: source.vars ?? {},
    durableObjects: Object.fromEntries(
      Object.entries(source.durableObjects).map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
  });
  await mf.ready;
  return {
    label: "workerd",
    // miniflare has its own undici Request/Response types: cross over by value.
    async fetch(request) {
      const response = await mf.dispatchFetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: request.body ? await request.arrayBuffer() : undefined,
      });
      return new Response(await response.arrayBuffer(), {
        status: response.status,
        headers: Object.fromEntries(response.headers),
      });
    },
    dispose: () => mf.dispose(),
  };
}

export async function startShim(source: WorkerSource): Promise<RunningWorker> {
  const { createWorker } = await import("../../src/runtime/worker");
  const mod = (await import(/* @vite-ignore */ source.entry)) as Parameters<typeof createWorker>[0];
  const worker = await createWorker(mod, {
    durableObjects: Object.fromEntries(
      Object.entries(source.durableObjects).map(([binding, className]) => [binding, { className }]),
    ),
    vars: source.vars,
  });
  return {
    label: "shim",
    fetch: (request) => worker.fetch(request),
    dispose: async () => {
      await worker.dispose();
    },
  };
}

/** Runs one named scenario of the conformance Worker and returns its decoded JSON. */
export async function runScenario(worker: RunningWorker, name: string): Promise<unknown> {
  const response = await worker.fetch(new Request(`http://conformance.test/scenario/${encodeURIComponent(name)}`));
  if (!response.ok) throw new Error(`${worker.label}: scenario "${name}" answered ${response.status}: ${await response.text()}`);
  return response.json();
}
