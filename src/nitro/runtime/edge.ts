import type { H3Event } from "h3";
import type { NitroApp } from "nitropack/types";
import { classes, durableObjects, sqlWasm } from "virtual:dotdo/nitro-objects";
import { createFetchStore } from "../../runtime/platform/fetch-store";
import { saveAndRelease, startHandlerWorker, type HandlerWorker } from "../../runtime/platform/handler";
import { createWorker } from "../../runtime/worker";
import { attachEnv, unavailableEnv } from "./context";

/**
 * The Nitro plugin of vercel-edge, a platform that may freeze or drop an instance once it has
 * answered: as in dotdo's own vercel-edge output, the objects a request used are checkpointed
 * and let go before its response leaves, and the next request restores them from the store
 * (here or in another instance). Each write is stored before the call that made it returns.
 */
export default function dotdoEdge(nitroApp: NitroApp): void {
  let started: Promise<HandlerWorker> | undefined;
  const serving = new WeakMap<H3Event, HandlerWorker>();

  nitroApp.hooks.hook("request", async (event) => {
    started ??= startHandlerWorker({
      // Vercel's edge runtime has process.env; it is read on the first request.
      env: () => globalThis.process?.env ?? {},
      openStore: createFetchStore,
      startWorker: async (options) => createWorker(classes, { ...options, durableObjects, sqlWasm: await sqlWasm() }),
    });
    try {
      const running = await started;
      serving.set(event, running);
      attachEnv(event, running.worker.env);
    } catch (error) {
      console.error("dotdo: the Durable Objects could not start:", error);
      attachEnv(event, unavailableEnv(error));
    }
  });

  const release = async (event: H3Event | undefined): Promise<void> => {
    const running = event && serving.get(event);
    if (!running) return;
    serving.delete(event);
    await saveAndRelease(running);
  };
  nitroApp.hooks.hook("beforeResponse", (event) => release(event));
  // A route that threw gets Nitro's error page without `beforeResponse`: let its objects go too.
  nitroApp.hooks.hook("error", (_error, { event }) => release(event));
}
