/**
 * Member paths over RPC, with workerd's rules: `stub.a.b(...)` calls `b` of what `a` holds on
 * the receiver's side, `await stub.a.b` reads it, and the promise of a call can be used before
 * it settles (`stub.make().counter.increment()`: promise pipelining).
 */
import { claim, currentIoContext, requireOwnContext, type IoContext } from "../io-context";
import { RpcTarget } from "../state/base-classes";
import type { CallScope } from "./local-stub";
import { cloneForRpc, isPlainObject, stubs, toRemoteError, type RemoteError } from "./rpc";

/** What a stub reaches: calls and reads of member paths, run on the receiver's side. */
export interface PathReceiver {
  call(path: readonly string[], args: unknown[]): Promise<unknown>;
  read(path: readonly string[]): Promise<unknown>;
}

/** What RPC refuses to clone, by kind: the promises and properties of calls not yet made. */
export const pendingCalls = new WeakMap<object, "RpcPromise" | "RpcProperty">();

/**
 * A class of `cloudflare:workers` that only the runtime makes objects of: `instanceof` tells
 * them by `is`; constructing one is refused, as on workerd.
 */
export function brandClass(is: (value: object) => boolean) {
  return class {
    constructor() {
      throw new TypeError("Illegal constructor");
    }

    static [Symbol.hasInstance](value: unknown): boolean {
      return (typeof value === "function" || typeof value === "object") && value !== null && is(value);
    }
  };
}

export const RpcPromise = brandClass((value) => pendingCalls.get(value) === "RpcPromise");
export const RpcProperty = brandClass((value) => pendingCalls.get(value) === "RpcProperty");

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
export function callOf(receiver: PathReceiver, path: readonly string[], args: unknown[]): Promise<unknown> {
  try {
    return receiver.call(path, args);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The promise of an RPC call (workerd's `RpcPromise`): awaitable, and pipelined on before it
 * settles. It belongs to the request that made the call: any request may await it (it is a
 * plain promise), only that one may pipeline on it.
 */
export function rpcPromise(result: Promise<unknown>): unknown {
  let fulfilled = false;
  result.then(() => (fulfilled = true), () => {}); // a call nobody awaits may fail unseen, as on workerd
  // workerd's message names what it holds: the call's pipeline, then its result.
  const owned = () => requireOwnContext(promise, fulfilled ? "JsRpcPromise" : "Pipeline");
  const receiver = pipelined(result, owned);
  const promise: object = new Proxy(function pending() {}, {
    apply: (_, __, args: unknown[]) => rpcPromise(callOf(receiver, [], args)),
    get(_, property) {
      if (property === "then") return (onFulfilled?: Settle, onRejected?: Settle) => settled(result).then(onFulfilled, onRejected);
      if (property === "catch") return (onRejected?: Settle) => settled(result).catch(onRejected);
      if (property === "finally") return (onFinally?: () => void) => settled(result).finally(onFinally);
      if (typeof property !== "string") return undefined;
      return rpcPath(receiver, [property]);
    },
  });
  pendingCalls.set(promise, "RpcPromise");
  return claim(promise, currentIoContext());
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
 * Paths on a result not here yet: walked on the result once it is (its stubs make the calls),
 * after `owned()` checked that the request may.
 */
function pipelined(result: Promise<unknown>, owned: () => void): PathReceiver {
  return {
    async call(path, args) {
      owned();
      return callLocal(await result, path, args);
    },
    async read(path) {
      owned();
      return walk(await result, path).value;
    },
  };
}

export async function callLocal(value: unknown, path: readonly string[], args: unknown[]): Promise<unknown> {
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
  for (const [i, name] of path.entries()) {
    // A stub (of an object, a service, a value passed by reference) takes the rest of the path
    // to where it leads, as one pipelined call.
    if (isStub(value)) return { parent: value, value: path.slice(i).reduce((member, next) => Reflect.get(member as object, next), value) };
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

const isStub = (value: unknown): value is object =>
  (typeof value === "object" || typeof value === "function") && value !== null && stubs.has(value);

function memberOf(value: unknown, name: string): PropertyDescriptor | undefined | typeof NOT_REACHABLE {
  // A call's promise or property held in a value is not followed, as on workerd.
  if ((typeof value === "object" || typeof value === "function") && value !== null && pendingCalls.has(value)) return NOT_REACHABLE;
  if (value instanceof RpcTarget) return targetMember(value, name);
  if (typeof value === "function") return Object.getOwnPropertyDescriptor(value, name);
  // A plain object of any realm (edge-runtime clones into another); not a null-prototype one.
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) !== null && isPlainObject(value)) {
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
 * its own properties under `enhanced_error_serialization`). `callee` is told when it returned;
 * a result holding stubs gets a `[Symbol.dispose]()` that disposes them, ends the call and runs
 * the original result's own. The stubs in the result belong to `caller`, the calling request.
 */
export async function receive(run: () => unknown, enhancedErrors = false, callee?: CallScope, caller?: IoContext): Promise<unknown> {
  const made: object[] = [];
  let result: unknown;
  try {
    result = await run();
    const cloned = cloneForRpc(result, { made, ...(caller && { owner: caller }) });
    callee?.returned(made.length > 0);
    if (made.length > 0 && typeof cloned === "object" && cloned !== null && !stubs.has(cloned)) {
      Object.defineProperty(cloned, Symbol.dispose, { value: disposeResult(result, made, callee) });
    }
    return cloned;
  } catch (error) {
    callee?.returned(false);
    throw toRemoteError(error, enhancedErrors);
  }
}

function disposeResult(result: unknown, made: object[], callee: CallScope | undefined): () => void {
  return () => {
    for (const stub of made) (Reflect.get(stub, Symbol.dispose) as (() => void) | undefined)?.();
    callee?.end();
    const own: unknown = typeof result === "object" && result !== null ? Reflect.get(result, Symbol.dispose) : undefined;
    if (typeof own === "function") own.call(result);
  };
}
