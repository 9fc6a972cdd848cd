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
    // The default export's fetch is the Worker's own (an object of handlers or a class).
    if (name === "default") exports.default = serviceStub(isEntrypointClass(value) ? value : undefined, host.fetch, host);
    else if (isEntrypointClass(value)) exports[name] = serviceStub(value, undefined, host);
  }
  return exports;
}

function isEntrypointClass(value: unknown): value is EntrypointClass {
  return typeof value === "function" && value.prototype instanceof WorkerEntrypoint;
}

/**
 * A stub for one entrypoint: `fetch` and RPC methods, each call on a fresh instance of `entry`
 * with arguments and results cloned. Without a class (an object default export) only `fetch`.
 */
function serviceStub(entry: EntrypointClass | undefined, fetch: ((request: Request) => Promise<Response>) | undefined, host: LoopbackHost): object {
  const instance = (): Record<string, unknown> => (entry ? new entry(host.context(), host.env) : {});
  const call = async (name: string, args: unknown[]): Promise<unknown> => {
    const receiver = instance();
    const method = receiver[name];
    if (typeof method !== "function") throw new TypeError(`The RPC receiver does not implement the method "${name}".`);
    return method.apply(receiver, args) as unknown;
  };
  return new Proxy(
    {},
    {
      get(_, property) {
        if (typeof property !== "string" || property === "then") return undefined;
        if (property === "fetch") {
          return async (input: Request | string | URL, init?: RequestInit) => {
            const request = new Request(input, init);
            return fetch ? fetch(request) : ((await call("fetch", [request])) as Response);
          };
        }
        return async (...args: unknown[]) => cloneForRpc(await call(property, cloneForRpc(args)));
      },
    },
  );
}
