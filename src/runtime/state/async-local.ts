import type { AsyncContext } from "./fetch-gate";

type AsyncLocalStorageClass = new <T>() => AsyncContext<T>;

interface Host {
  AsyncLocalStorage?: AsyncLocalStorageClass;
  process?: { getBuiltinModule?(id: string): { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined };
}

/**
 * A new `AsyncLocalStorage`, where the runtime has one: from `node:async_hooks` on Node, Bun and
 * Deno (through `process.getBuiltinModule`, so that bundles for runtimes without Node modules
 * still load), or as a global. Undefined in edge-runtime's sandbox, which has neither.
 */
export function newAsyncLocal<T>(): AsyncContext<T> | undefined {
  const host = globalThis as Host;
  const AsyncLocalStorage = host.AsyncLocalStorage ?? host.process?.getBuiltinModule?.("node:async_hooks")?.AsyncLocalStorage;
  return AsyncLocalStorage && new AsyncLocalStorage<T>();
}
