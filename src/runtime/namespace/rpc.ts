/** RPC values and errors with workerd's rules: cloned values, and errors rebuilt on the caller's side. */
import { currentCompatibility } from "../current-worker";
import { claim, type Owner } from "../io-context";
import { RpcTarget } from "../state/base-classes";
import { domException, encodeValue } from "../state/value-codec";
import { DurableObjectId } from "./id";
import { localStub, transferStub, type CallScope, type StubHost } from "./local-stub";
import { receivedReadable, receivedWritable } from "./rpc-streams";
import { pendingCalls } from "./rpc-path";

const BUILT_IN_ERRORS: Record<string, ErrorConstructor | AggregateErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError,
};

/** Where the stubs a clone makes belong. */
export interface StubPlace {
  /** Where the values behind them live (a Durable Object instance): their calls fail once it ends. */
  host?: StubHost;
  /** The call receiving them: they are disposed when it returns. */
  scope?: CallScope;
  /** Collects the stubs made. */
  made?: object[];
  /** The values are a call's arguments (stubs among them are duplicated under `rpc_params_dup_stubs`). */
  params?: boolean;
  /** The request context the stubs made belong to (the receiver's); none: usable from any. */
  owner?: Owner;
}

/**
 * Clones an RPC argument or result. Like workerd, instances of user classes are refused
 * (structured clone alone would turn them into plain objects), while functions and
 * `RpcTarget`s cross by reference: the receiver gets a stub whose calls come back here; a
 * stub of one moves to the receiver.
 */
export function cloneForRpc<T>(value: T, place: StubPlace = {}): T {
  // A primitive is its own clone, and so is an argument list (an array the stub made) of only
  // primitives, copied: most calls skip the serializer, a few percent of a busy object's CPU.
  if (isPrimitive(value)) return value;
  if (place.params === true && Array.isArray(value) && value.every(isPrimitive)) return Array.from(value) as T;
  return scan(value, new Set()) ? (cloneWithReferences(value, new Map(), place) as T) : clone(value);
}

/** structuredClone, with V8's DataCloneError wording on every runtime (Bun words it otherwise). */
function clone<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch (error) {
    // By name: edge-runtime's structuredClone throws another realm's DOMException.
    if ((error as { name?: unknown } | null)?.name === "DataCloneError") encodeValue(value);
    throw error;
  }
}

/** Values structuredClone copies as they are (a symbol is not one: it cannot be cloned). */
function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function" && typeof value !== "symbol");
}

/** Refuses class instances; true when `value` holds functions or RpcTargets. */
function scan(value: unknown, seen: Set<object>): boolean {
  const pending = (typeof value === "function" || typeof value === "object") && value !== null ? pendingCalls.get(value) : undefined;
  if (pending) throw domException(`Could not serialize object of type "${pending}". This type does not support serialization.`, "DataCloneError");
  if (typeof value === "function" || value instanceof RpcTarget || value instanceof Headers || isStream(value) || isTransferred(value)) return true;
  if (typeof value !== "object" || value === null || seen.has(value)) return false;
  seen.add(value);
  let references = false;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) references = scan(item, seen) || references;
  } else if (value instanceof Map) {
    for (const [key, item] of value) references = scan(key, seen) || scan(item, seen) || references;
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) references = scan(item, seen) || references;
  } else if (!isBuiltIn(value)) {
    if (isProxy(value)) throw domException(PROXY_REFUSED, "DataCloneError");
    const type = (value as { constructor?: { name?: string } }).constructor?.name ?? "Object";
    throw domException(`Could not serialize object of type "${type}". This type does not support serialization.`, "DataCloneError");
  }
  return references;
}

function made(stub: object, place: StubPlace): object {
  place.made?.push(stub);
  return claim(stub, place.owner);
}

const PROXY_REFUSED =
  "Proxy could not be serialized because it is not a valid RPC receiver type. The Proxy must emulate either a plain object or an RpcTarget, as indicated by the Proxy's prototype chain.";

type UtilTypes = { isProxy(value: unknown): boolean };
const utilTypes = (globalThis as { process?: { getBuiltinModule?(id: string): { types?: UtilTypes } | undefined } }).process?.getBuiltinModule?.("node:util")?.types;

/** Whether `value` is a Proxy, where the runtime can tell (`node:util`; not in edge-runtime's sandbox). */
function isProxy(value: object): boolean {
  return utilTypes?.isProxy(value) ?? false;
}

function cloneWithReferences(value: unknown, copies: Map<object, unknown>, place: StubPlace): unknown {
  const keep = place.params === true && currentCompatibility().rpcParamsDupStubs;
  const moved = typeof value === "function" || typeof value === "object" ? value && transferStub(value, place.scope, keep) : undefined;
  if (moved) return made(moved, place);
  const reissue = typeof value === "object" && value !== null ? reissues.get(value) : undefined;
  if (reissue) return claim(reissue(), place.owner);
  if (isTransferred(value)) return value;
  if (value instanceof ReadableStream) return receivedReadable(value);
  if (value instanceof WritableStream) return receivedWritable(value);
  if (typeof value === "function" || value instanceof RpcTarget) return made(localStub(value as object, place.host, place.scope), place);
  if (value instanceof Headers) return new Headers(value);
  if (typeof value !== "object" || value === null) return value;
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value) copy.push(cloneWithReferences(item, copies, place));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    copies.set(value, copy);
    for (const [key, item] of value) copy.set(cloneWithReferences(key, copies, place), cloneWithReferences(item, copies, place));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    copies.set(value, copy);
    for (const item of value) copy.add(cloneWithReferences(item, copies, place));
    return copy;
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    copies.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = cloneWithReferences(item, copies, place);
    return copy;
  }
  const copy = clone(value);
  copies.set(value, copy);
  return copy;
}

/** Stubs (of Durable Objects, services, values passed by reference): passed over RPC as they are. */
export const stubs = new WeakSet<object>();

/** Streams: the receiver gets one of its own, joined to the sender's (rpc-streams.ts). */
function isStream(value: unknown): boolean {
  return value instanceof ReadableStream || value instanceof WritableStream;
}

/**
 * Durable Object stubs, each with how to make another for the same object (refused in another
 * request than the stub's): the receiver of one passed over RPC gets a stub of its own, which
 * belongs to its request, as workerd deserializes one.
 */
export const reissues = new WeakMap<object, () => object>();

/**
 * Passed as they are: bodies move to the receiver, as workerd transfers them; stubs, ids and
 * abort signals are references (workerd's `enable_abortsignal_rpc`).
 */
function isTransferred(value: unknown): boolean {
  return (
    value instanceof Request || value instanceof Response || value instanceof AbortSignal || value instanceof DurableObjectId ||
    ((typeof value === "object" || typeof value === "function") && value !== null && stubs.has(value))
  );
}

/** A plain object of this realm or another (edge-runtime runs code in a VM context). */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  return (
    Object.getPrototypeOf(proto) === null &&
    Object.prototype.toString.call(value) === "[object Object]" &&
    (proto as { constructor?: { name?: string } }).constructor?.name === "Object"
  );
}

function isBuiltIn(value: object): boolean {
  return (
    value instanceof Date || value instanceof RegExp || value instanceof Error || value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) || value instanceof Boolean || value instanceof Number || value instanceof String ||
    Object.prototype.toString.call(value) !== "[object Object]"
  );
}

function isDomException(error: unknown): error is DOMException {
  return error instanceof DOMException || Object.prototype.toString.call(error) === "[object DOMException]";
}

/** Marks an error as having come from the other side of an RPC call, as workerd does. */
export type RemoteError = Error & { remote: true };

/**
 * What the caller sees for an error thrown by the callee, as workerd serializes it: the built-in
 * class its name names, else `Error`. With `enhanced_error_serialization` (`enhanced`), its
 * message, its name (when no built-in's) and its other own properties (a `cause`, an
 * AggregateError's `errors`, any the code added), all of them or none when one cannot be
 * cloned. Without, "Name: message" for a name no built-in has, and nothing more.
 */
export function toRemoteError(error: unknown, enhanced = false): RemoteError {
  let rebuilt: Error;
  if (isDomException(error)) {
    rebuilt = domException(error.message, error.name);
  } else if (error instanceof Error) {
    rebuilt = enhanced ? enhancedCopy(error) : legacyCopy(error);
  } else {
    rebuilt = new Error(String(error));
  }
  return Object.assign(rebuilt, { remote: true as const });
}

function legacyCopy(error: Error): Error {
  const Ctor = BUILT_IN_ERRORS[error.name];
  if (!Ctor) return new Error(`${error.name}: ${error.message}`);
  const copy = construct(Ctor, error.message);
  // workerd's legacy form has no `errors`, not even an empty list.
  if (Ctor === AggregateError) Reflect.deleteProperty(copy, "errors");
  return copy;
}

/** Own properties every error has, or the engine adds (Bun: where it was made, before and after source maps). */
const ENGINE_PROPERTIES = new Set(["message", "stack", "line", "column", "sourceURL", "originalLine", "originalColumn"]);

function enhancedCopy(error: Error): Error {
  const copy = construct(BUILT_IN_ERRORS[error.name] ?? Error, error.message);
  const names = Object.getOwnPropertyNames(error).filter((name) => !ENGINE_PROPERTIES.has(name));
  if (!names.includes("name") && error.name !== copy.name) names.push("name");
  let properties: [string, unknown][] = [];
  try {
    properties = names.map((name) => [name, copyProperty((error as unknown as Record<string, unknown>)[name])]);
  } catch {
    // One property that cannot be cloned (a function) drops them all, as in workerd.
  }
  for (const [name, value] of properties) Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function copyProperty(value: unknown): unknown {
  if (value instanceof Error && !isDomException(value)) return enhancedCopy(value);
  if (Array.isArray(value)) return value.map(copyProperty);
  return clone(value);
}

function construct(Ctor: ErrorConstructor | AggregateErrorConstructor, message: string): Error {
  return Ctor === AggregateError ? new AggregateError([], message) : new (Ctor as ErrorConstructor)(message);
}
