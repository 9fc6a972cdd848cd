import type { H3Event } from "h3";

type Env = Record<string, unknown>;

/**
 * Gives a request the bindings where Nitro puts them on Cloudflare, so that route code reads
 * `event.context.cloudflare.env.COUNTER` the same way on every preset.
 */
export function attachEnv(event: H3Event, env: Env): void {
  event.context.cloudflare ??= {
    env,
    context: { waitUntil: (promise: Promise<unknown>) => event.waitUntil(promise), passThroughOnException() {} },
  };
}

/** Bindings that could not start: using any of them throws why, so the route fails with that error. */
export function unavailableEnv(error: unknown): Env {
  return new Proxy(
    {},
    {
      // Not a thenable: the bindings are awaited on their way to the request.
      get(_target, key) {
        if (key === "then") return undefined;
        throw error;
      },
    },
  );
}
