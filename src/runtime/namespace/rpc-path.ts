/**
 * Member paths over RPC, with workerd's rules: `stub.a.b(...)` calls `b` of what `a` holds on
 * the receiver's side, `await stub.a.b` reads it, and the promise of a call can be used before
 * it settles (`stub.make().counter.increment()`: promise pipelining).
 */
import { RpcTarget } from "../state/base-classes";
import { cloneForRpc, stubs, toRemoteError, type RemoteError } from "./rpc";

/** What a stub reaches: calls and reads of member paths, run on the receiver's side. */
export interface PathReceiver {
  call(path: readonly string[], args: unknown[]): Promise<unknown>;
  read(path: readonly string[]): Promise<unknown>;
}

/** What RPC refuses to clone, by kind: the promises and properties of calls not yet made. */
export const pendingCalls = new WeakMap<object, "RpcPromise" | "RpcProperty">();

/** workerd refuses longer chains of pipelined properties (each one is a native object there). */
const MAX_PATH_DEPTH = 5120;

/**
 * A stub's member at `path` (workerd's `RpcProperty`): callable, awaitable (a read), and with
 * members of its own.
 */
export function rpcPath(receiver: PathReceiver, path: readonly string[]): unknown {
  if (path.length > MAX_PATH_DEPTH) throw new TypeError(`RPC property path is too deep (more than ${MAX_PATH_DEPTH} members).`);
  const read = () => receiver.read(path);
  const property = new Proxy(function member() {}, {
    apply: (_, __, args: unknown[]) => rpcPromise(callOf(receiver, path, args)),
    get(_, property) {
      if (property === "then") return (onFulfilled?: Settle, onRejected?: Settle) => settled(read()).then(onFulfilled, onRejected);
      if (property === "catch") return (onRejected?: Settle) => settled(read()).catch(onRejected);
      if (property === "finally") return (onFinally?: () => void) => settled(read()).finally(onFinally);
      if (typeof property !== "string") return undefined;
      return rpcPath(receiver, [...path, property]);
    },
  });
  pendingCalls.set(property, "RpcProperty");
  return property;
}

type Settle = (value: unknown) => unknown;

/** A call's promise: what fails before it leaves (an argument that cannot be cloned) rejects it, as on workerd. */
function callOf(receiver: PathReceiver, path: readonly string[], args: unknown[]): Promise<unknown> {
  try {
    return receiver.call(path, args);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The promise of an RPC call (workerd's `RpcPromise`): awaitable, and pipelined on before it settles. */
export function rpcPromise(result: Promise<unknown>): unknown {
  result.catch(() => {}); // a call nobody awaits may fail unseen, as on workerd
  const promise = new Proxy(function pending() {}, {
    apply: (_, __, args: unknown[]) => rpcPromise(result.then((value) => callLocal(value, [], args))),
    get(_, property) {
      if (property === "then") return (onFulfilled?: Settle, onRejected?: Settle) => settled(result).then(onFulfilled, onRejected);
      if (property === "catch") return (onRejected?: Settle) => settled(result).catch(onRejected);
      if (property === "finally") return (onFinally?: () => void) => settled(result).finally(onFinally);
      if (typeof property !== "string") return undefined;
      return rpcPath(pipelined(result), [property]);
    },
  });
  pendingCalls.set(promise, "RpcPromise");
  return promise;
}

/**
 * Settles as `call` does. A remote error's stack is made the caller's, as workerd's is (it does
 * not carry the callee's): captured here, after an `await`, V8 follows it up to the code that
 * awaits the call.
 */
async function settled(call: Promise<unknown>): Promise<unknown> {
  try {
    return await call;
  } catch (error) {
    if ((error as Partial<RemoteError> | null)?.remote) Error.captureStackTrace?.(error as Error);
    throw error;
  }
}

/**
 * Where the values behind stubs live (workerd's I/O context; here, a Durable Object instance):
 * once it has ended, calls under way fail with its error, later ones with workerd's.
 */
export class StubHost {
  #ended: { error: unknown } | undefined;
  readonly #listeners = new Set<(error: unknown) => void>();

  get ended(): { error: unknown } | undefined {
    return this.#ended;
  }

  /** Calls `listener` when the host ends; returns how to stop listening. */
  onEnd(listener: (error: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = { error };
    for (const listener of this.#listeners) listener(error);
    this.#listeners.clear();
  }
}

const NO_LONGER_RUNNING = "The execution context which hosts this callback is no longer running.";

/**
 * A stub for a function or an `RpcTarget` passed over RPC: the receiver's calls and reads come
 * back to the original, with values cloned both ways; delivered a turn later, as over a
 * connection, and bound to `host` when there is one.
 */
export function localStub(value: object, host?: StubHost): object {
  const deliver = (run: () => unknown): Promise<unknown> => {
    if (host?.ended) return Promise.reject(new Error(NO_LONGER_RUNNING));
    const delivered = Promise.resolve().then(() => receive(run));
    return host ? untilEnd(delivered, host) : delivered;
  };
  const receiver: PathReceiver = {
    call(path, args) {
      const cloned = cloneForRpc(args);
      return deliver(() => callLocal(value, path, cloned));
    },
    read: (path) => deliver(() => walk(value, path).value),
  };
  const stub = new Proxy(typeof value === "function" ? function stub() {} : {}, {
    apply: (_, __, args: unknown[]) => rpcPromise(callOf(receiver, [], args)),
    get(_, property) {
      // What inspecting a stub reads (as `console.log` does) is not a call.
      if (property === "constructor") return RpcStub;
      // Not reference-counted: a duplicate is the stub itself, and disposing it changes nothing.
      if (property === "dup") return () => stub;
      if (property === Symbol.dispose) return () => {};
      if (property === Symbol.toPrimitive) return () => "[object RpcStub]";
      return typeof property === "string" && property !== "then" ? rpcPath(receiver, [property]) : undefined;
    },
  });
  stubs.add(stub);
  return stub;
}

/**
 * `new RpcStub(value)` of `cloudflare:workers`: a stub for a function, an `RpcTarget` or a plain
 * object, called as the receiver of an RPC would call it (without reference counting, see
 * `localStub`).
 */
export const RpcStub = function RpcStub(value: object) {
  return localStub(value);
} as unknown as new (value: object) => object;

/** Settles as `call`, or fails with the host's error if it ends first. */
function untilEnd(call: Promise<unknown>, host: StubHost): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = host.onEnd(reject);
    call.then(resolve, reject).finally(stop);
  });
}

/** Paths on a result not here yet: walked on the result once it is (its stubs make the calls). */
function pipelined(result: Promise<unknown>): PathReceiver {
  return {
    call: async (path, args) => callLocal(await result, path, args),
    read: async (path) => walk(await result, path).value,
  };
}

async function callLocal(value: unknown, path: readonly string[], args: unknown[]): Promise<unknown> {
  const { parent, value: member } = walk(value, path);
  if (typeof member !== "function") throw new TypeError(`"${path.join(".")}" is not a function.`);
  return Reflect.apply(member as (...a: unknown[]) => unknown, parent, args);
}

/**
 * Follows `path` from `value` as workerd lets RPC reach: own members of plain objects and
 * functions, prototype methods and getters of `RpcTarget`s (never their instance fields);
 * nothing of other class instances or null-prototype objects.
 */
export function walk(value: unknown, path: readonly string[], first?: string): { parent: unknown; value: unknown } {
  let parent: unknown;
  let previous = first;
  for (const name of path) {
    const member = memberOf(value, name);
    if (member === NOT_REACHABLE) throw notImplemented(previous ?? name);
    if (member === undefined) throw notImplemented(name);
    parent = value;
    value = member.get ? member.get.call(parent) : member.value;
    previous = name;
  }
  return { parent, value };
}

const NOT_REACHABLE = Symbol("not reachable");

function memberOf(value: unknown, name: string): PropertyDescriptor | undefined | typeof NOT_REACHABLE {
  // A stub (of an object, a service, a function passed by reference) or a call's promise or
  // property makes the call itself.
  if ((typeof value === "object" || typeof value === "function") && value !== null && (stubs.has(value) || pendingCalls.has(value))) {
    return { value: (value as Record<string, unknown>)[name] };
  }
  if (value instanceof RpcTarget) return targetMember(value, name);
  if (typeof value === "function") return Object.getOwnPropertyDescriptor(value, name);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.getOwnPropertyDescriptor(value, name);
  }
  return NOT_REACHABLE;
}

/**
 * A member of an `RpcTarget`: anything but its own fields and `Object.prototype`'s members,
 * read through the object (so that a Proxy answers for what it emulates).
 */
function targetMember(target: RpcTarget, name: string): PropertyDescriptor | undefined {
  if (name === "constructor" || Object.hasOwn(target, name)) return undefined;
  const value: unknown = Reflect.get(target, name);
  if (name in Object.prototype && value === (Object.prototype as Record<string, unknown>)[name]) return undefined;
  return value === undefined && !prototypeMember(target, name, RpcTarget.prototype) ? undefined : { value };
}

/** A method or getter `object` inherits below `base` (never `constructor`, never an own field). */
export function prototypeMember(object: object, name: string, base: object): PropertyDescriptor | undefined {
  if (name === "constructor") return undefined;
  for (let proto = Object.getPrototypeOf(object); proto && proto !== base && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

export function notImplemented(name: string): TypeError {
  return new TypeError(`The RPC receiver does not implement the method "${name}".`);
}

/**
 * Runs a call on the receiver's side: its result cloned, its error rebuilt for the caller (with
 * its own properties under `enhanced_error_serialization`).
 */
export async function receive(run: () => unknown, enhancedErrors = false): Promise<unknown> {
  try {
    return cloneForRpc(await run());
  } catch (error) {
    throw toRemoteError(error, enhancedErrors);
  }
}
