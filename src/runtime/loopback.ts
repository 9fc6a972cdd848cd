import { currentIoContext, IoContext, runInIoContext } from "./io-context";
import { CallScope } from "./namespace/local-stub";
import { cloneForRpc, stubs } from "./namespace/rpc";
import { brandClass, notImplemented, prototypeMember, receive, rpcPath, walk, type PathReceiver } from "./namespace/rpc-path";
import { socketPair, type PairedSocket } from "./socket-pair";
import { loopbackNamespace, objectClass } from "./namespace/object-class";
import type { DurableObjectClass } from "./namespace/live-object";
import { DurableObject, WorkerEntrypoint, type ExecutionContext } from "./state/base-classes";

type Env = Record<string, unknown>;
type Props = Record<string, unknown>;
type EntrypointClass = new (ctx: ExecutionContext, env: Env) => object;
type Handler = (arg: unknown, env: Env, ctx: ExecutionContext) => unknown;

/** How a loopback stub reaches the Worker: its fetch, and a fresh context for each call. */
export interface LoopbackHost {
  env: Env;
  /** Errors thrown to a caller keep their own properties (`enhanced_error_serialization`). */
  enhancedErrors: boolean;
  context(props: Props): ExecutionContext;
  /** The Worker's own fetch (errors answered as on the platform). */
  fetch(request: Request): Promise<Response>;
}

/**
 * Where a service stub came from, which decides whether it may be stored: `exports` (a
 * `ctx.exports` entry as it is), `binding` (a service binding of the Worker's config), or
 * `specialised` (one of those called with `{ props }`, or read back from storage).
 */
export type ServiceOrigin = "exports" | "binding" | "specialised";

/** What a service stub stands for: its entrypoint and `ctx.props`. */
export interface ServiceForm {
  readonly entrypoint: string;
  readonly props: Props;
  readonly origin: ServiceOrigin;
}

const serviceStubs = new WeakMap<object, ServiceForm>();

export const ServiceStub = brandClass((value) => serviceStubs.has(value));

/** The entrypoint and props of a service stub; undefined for any other value. */
export function serviceStubOf(value: object): ServiceForm | undefined {
  return serviceStubs.get(value);
}

/** One of the Worker's entrypoints: a `WorkerEntrypoint` class, or an object of handler functions. */
type Entrypoint = { kind: "class"; cls: EntrypointClass } | { kind: "handlers"; handlers: Record<string, unknown>; name: string };

/**
 * `ctx.exports` (and `exports` from `cloudflare:workers`): the Worker's own exports as bindings,
 * as workerd makes them. A bound Durable Object class is its namespace (also callable for a
 * class handle), another one a class handle (for facets); the default export, each
 * `WorkerEntrypoint` class and each exported object of handlers is a service stub.
 */
export function loopbackExports(mod: Record<string, unknown>, namespaces: Record<string, unknown>, host: LoopbackHost): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const [name, namespace] of Object.entries(namespaces)) exports[name] = loopbackNamespace(namespace as object, name, mod[name] as DurableObjectClass);
  for (const name of Object.keys(mod)) {
    if (name in exports) continue;
    const value = mod[name];
    if (typeof value === "function" && value.prototype instanceof DurableObject) {
      exports[name] = objectClass(name, value as DurableObjectClass);
      continue;
    }
    const entrypoint = entrypointOf(mod, name);
    if (entrypoint) exports[name] = serviceStub(name, entrypoint, host, {}, "exports");
  }
  return exports;
}

/**
 * A service binding to one of the Worker's own entrypoints (wrangler's `services` naming the
 * Worker itself, or a stub read back from storage); undefined when the module exports no
 * entrypoint of that name.
 */
export function loopbackBinding(mod: Record<string, unknown>, host: LoopbackHost, entrypoint: string, props: Props, origin: ServiceOrigin = "binding"): object | undefined {
  const entry = entrypointOf(mod, entrypoint);
  return entry && serviceStub(entrypoint, entry, host, props, origin);
}

function entrypointOf(mod: Record<string, unknown>, name: string): Entrypoint | undefined {
  const value = mod[name];
  if (typeof value === "function") return value.prototype instanceof WorkerEntrypoint ? { kind: "class", cls: value as EntrypointClass } : undefined;
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) return { kind: "handlers", handlers: value as Record<string, unknown>, name };
  return undefined;
}

/**
 * A stub for one entrypoint (workerd's `ServiceStub`): `fetch()`, RPC to methods and member paths,
 * each call on a fresh instance with `ctx.props` = `props`; calling the stub itself
 * (`ctx.exports.Greeter({ props })`) gives one with other props. Passed over RPC by reference.
 */
function serviceStub(name: string, entrypoint: Entrypoint, host: LoopbackHost, props: Props, origin: ServiceOrigin): object {
  const receiver = entrypoint.kind === "class" ? classReceiver(entrypoint.cls, host, props) : handlersReceiver(entrypoint, host, props);
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (name === "default" && entrypoint.kind === "handlers") return host.fetch(request);
    return (await receiver.call(["fetch"], [request])) as Response;
  };
  // A connection to the entrypoint's `connect(socket)` handler: the caller gets the other end.
  const connect = (): PairedSocket => {
    const [caller, callee] = socketPair();
    receiver.call(["connect"], [callee]).catch((error: unknown) => {
      console.error(`dotdo: connect() handler of entrypoint "${name}" threw:`, error);
      void callee.close();
    });
    return caller;
  };
  const stub: object = new Proxy(function specialise() {}, {
    apply: (_, __, [options]: [{ props?: Props }?]) => serviceStub(name, entrypoint, host, cloneForRpc(options?.props ?? {}), "specialised"),
    get(_, property) {
      if (property === "fetch") return fetch;
      if (property === "connect") return connect;
      // As text (a log line, an error message), not a call.
      if (property === Symbol.toPrimitive) return () => "[object ServiceStub]";
      if (typeof property !== "string" || property === "then") return undefined;
      return rpcPath(receiver, [property]);
    },
  });
  stubs.add(stub);
  serviceStubs.set(stub, { entrypoint: name, props, origin });
  return stub;
}

/** Calls on a fresh instance of a `WorkerEntrypoint` class; members are its prototype's, below `WorkerEntrypoint`. */
function classReceiver(cls: EntrypointClass, host: LoopbackHost, props: Props): PathReceiver {
  const reach = (path: readonly string[], callee: CallScope) => {
    const instance = new cls(callContext(host, props, callee), host.env);
    const [head = "", ...rest] = path;
    const member = prototypeMember(instance, head, WorkerEntrypoint.prototype);
    if (!member) throw notImplemented(head);
    const start = member.get ? member.get.call(instance) : member.value;
    return rest.length > 0 ? walk(start, rest, head) : { parent: instance, value: start };
  };
  return {
    call(path, args) {
      const callee = new CallScope();
      const context = new IoContext();
      // A request or a socket is handed over as it is.
      const cloned = path[0] === "fetch" || path[0] === "connect" ? args : cloneForRpc(args, { scope: callee, params: true, owner: context });
      return receiveIn(context, () => {
        const { parent, value } = reach(path, callee);
        if (typeof value !== "function") throw new TypeError(`"${path.join(".")}" is not a function.`);
        return Reflect.apply(value as (...a: unknown[]) => unknown, parent, cloned);
      }, host.enhancedErrors, callee);
    },
    read(path) {
      const callee = new CallScope();
      return receiveIn(new IoContext(), () => reach(path, callee).value, host.enhancedErrors, callee);
    },
  };
}

/** Runs a call to an entrypoint as a request of its own (`context`), as workerd runs each. */
function receiveIn(context: IoContext, run: () => unknown, enhancedErrors: boolean, callee: CallScope): Promise<unknown> {
  const caller = currentIoContext();
  return runInIoContext(context, () => receive(run, enhancedErrors, callee, caller));
}

/** The `ctx` of one call: `ctx.abort(reason)` ends it (disposing what it holds) and fails with `reason`. */
function callContext(host: LoopbackHost, props: Props, callee: CallScope): ExecutionContext {
  return {
    ...host.context(props),
    abort(reason: unknown): never {
      callee.end();
      throw reason;
    },
  };
}

/**
 * Calls to an object of handler functions, as workerd allows them: each takes exactly one
 * argument from the caller, then `env` and `ctx`.
 */
function handlersReceiver({ handlers, name }: Extract<Entrypoint, { kind: "handlers" }>, host: LoopbackHost, props: Props): PathReceiver {
  return {
    call(path, args) {
      const method = path.join(".");
      const handler = path.length === 1 ? Object.getOwnPropertyDescriptor(handlers, method)?.value : undefined;
      if (typeof handler !== "function") return Promise.reject(notImplemented(path[0] ?? name));
      const handlerEvent = method === "fetch" || method === "connect";
      if (!handlerEvent && handler.length > 3) return Promise.reject(new TypeError(WRONG_HANDLER_ARITY(method)));
      if (!handlerEvent && args.length !== 1) return Promise.reject(new TypeError(WRONG_CALL_ARITY(method)));
      const callee = new CallScope();
      const context = new IoContext();
      const cloned = handlerEvent ? args : cloneForRpc(args, { scope: callee, params: true, owner: context });
      return receiveIn(context, () => (handler as Handler).call(handlers, cloned[0], host.env, callContext(host, props, callee)), host.enhancedErrors, callee);
    },
    read: (path) => Promise.reject(notImplemented(path[0] ?? name)),
  };
}

const WRONG_HANDLER_ARITY = (method: string) =>
  `Cannot call handler function "${method}" over RPC because it has the wrong number of arguments. A simple function handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), where only the first argument comes from the client. To support multi-argument RPC functions, use class-based syntax (extending WorkerEntrypoint) instead.`;

const WRONG_CALL_ARITY = (method: string) =>
  `Attempted to call RPC function "${method}" with the wrong number of arguments. When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead.`;
