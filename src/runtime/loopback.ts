import { cloneForRpc } from "./namespace/rpc";
import { WorkerEntrypoint, type ExecutionContext } from "./state/base-classes";

type Env = Record<string, unknown>;
type EntrypointClass = new (ctx: ExecutionContext, env: Env) => Record<string, unknown>;

/** How a loopback stub reaches the Worker: its fetch, and a fresh context for class entrypoints. */
export interface LoopbackHost {
  env: Env;
  context(): ExecutionContext;
  /** The Worker's own fetch (errors answered as on the platform). */
  fetch(request: Request): Promise<Response>;
}

/**
 * `ctx.exports` (and `exports` from `cloudflare:workers`): the Worker's own exports as bindings,
 * as workerd makes them. A bound Durable Object class is its namespace; the default export and
 * each `WorkerEntrypoint` class are a service stub whose `fetch()` and methods run here.
 */
export function loopbackExports(mod: Record<string, unknown>, namespaces: Record<string, unknown>, host: LoopbackHost): Record<string, unknown> {
  const exports: Record<string, unknown> = { ...namespaces };
  for (const [name, value] of Object.entries(mod)) {
    if (name in exports) continue;
    if (name === "default") exports.default = serviceStub(value, host);
    else if (isEntrypointClass(value)) exports[name] = serviceStub(value, host);
  }
  return exports;
}

function isEntrypointClass(value: unknown): value is EntrypointClass {
  return typeof value === "function" && value.prototype instanceof WorkerEntrypoint;
}

/** A stub for one entrypoint: `fetch` and any method, each call on a fresh instance, arguments cloned. */
function serviceStub(entry: unknown, host: LoopbackHost): object {
  const isClass = typeof entry === "function";
  const target = (): Record<string, unknown> => new (entry as EntrypointClass)(host.context(), host.env);
  return new Proxy(
    {},
    {
      get(_, property) {
        if (typeof property !== "string" || property === "then") return undefined;
        if (property === "fetch") {
          return (input: Request | string | URL, init?: RequestInit) => {
            const request = new Request(input, init);
            if (!isClass) return host.fetch(request);
            const instance = target();
            if (typeof instance.fetch !== "function") throw new TypeError("Entrypoint has no fetch() handler");
            return Promise.resolve((instance.fetch as (request: Request) => Promise<Response>).call(instance, request));
          };
        }
        return async (...args: unknown[]) => {
          // Only class entrypoints take RPC calls; an object default export answers fetch alone.
          const instance = isClass ? target() : {};
          const method = instance[property];
          if (typeof method !== "function") throw new TypeError(`The RPC receiver does not implement the method "${property}".`);
          return cloneForRpc(await (method as (...a: unknown[]) => unknown).apply(instance, cloneForRpc(args)));
        };
      },
    },
  );
}
