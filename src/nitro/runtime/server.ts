import { AsyncLocalStorage } from "node:async_hooks";
import { hostname } from "node:os";
import type { NitroApp } from "nitropack/types";
import { classes, durableObjects, sqlWasm } from "virtual:dotdo/nitro-objects";
import { persistenceEnv, persistenceLifecycle } from "../../runtime/persistence/index";
import { shutdownOnSignal } from "../../runtime/platform/shutdown";
import { createStore } from "../../runtime/storage/index";
import { createWorker, type Worker } from "../../runtime/worker";
import { attachEnv, unavailableEnv } from "./context";

/**
 * The Nitro plugin of the server presets (node-server, bun, deno-server): one Worker for the
 * process holds the objects, kept in the store DOTDO_STORAGE names (default .dotdo/) as in
 * dotdo's own server outputs; Nitro's `close` hook checkpoints them all.
 */
export default function dotdoServer(nitroApp: NitroApp): void {
  const started = startWorker();
  started.catch((error: unknown) => console.error("dotdo: the Durable Objects could not start:", error));

  nitroApp.hooks.hook("request", async (event) => {
    attachEnv(event, await started.then((worker) => worker.env, unavailableEnv));
  });
  nitroApp.hooks.hook("close", async () => {
    await started.then((worker) => worker.dispose(), () => undefined);
  });
  // Nitro's node-server calls `close` on SIGTERM itself; its Bun and Deno servers just die.
  if (process.versions.bun || process.versions.deno) {
    const onSignal = shutdownOnSignal(() => nitroApp.hooks.callHook("close"), (code) => process.exit(code));
    process.on("SIGTERM", onSignal).on("SIGINT", onSignal);
  }
}

async function startWorker(): Promise<Worker> {
  const lifecycle = persistenceLifecycle({
    store: await createStore(process.env),
    ...persistenceEnv(process.env, hostname()),
    onError: (error, ref) => console.error(`dotdo: Durable Object ${ref.id}:`, error),
  });
  return createWorker(classes, { durableObjects, lifecycle, asyncContext: new AsyncLocalStorage(), sqlWasm: await sqlWasm() });
}
