/** RPC values and errors with workerd's rules: cloned values, and errors rebuilt on the caller's side. */
import { RpcTarget } from "../state/base-classes";
import { domException, encodeValue } from "../state/value-codec";
import { DurableObjectId } from "./id";
import { localStub, transferStub, type CallScope, type StubHost } from "./local-stub";
import { pendingCalls } from "./rpc-path";

const CLONEABLE_ERRORS: Record<string, ErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

/** Where the stubs a clone makes belong. */
export interface StubPlace {
  /** Where the values behind them live (a Durable Object instance): their calls fail once it ends. */
  host?: StubHost;
  /** The call receiving them: they are disposed when it returns. */
  scope?: CallScope;
  /** Collects the stubs made. */
  made?: object[];
}

/**
 * Clones an RPC argument or result. Like workerd, instances of user classes are refused
 * (structured clone alone would turn them into plain objects), while functions and
 * `RpcTarget`s cross by reference: the receiver gets a stub whose calls come back here; a
 * stub of one moves to the receiver.
 */
export function cloneForRpc<T>(value: T, place: StubPlace = {}): T {
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

/** Refuses class instances; true when `value` holds functions or RpcTargets. */
function scan(value: unknown, seen: Set<object>): boolean {
  const pending = (typeof value === "function" || typeof value === "object") && value !== null ? pendingCalls.get(value) : undefined;
  if (pending) throw domException(`Could not serialize object of type "${pending}". This type does not support serialization.`, "DataCloneError");
  if (typeof value === "function" || value instanceof RpcTarget || value instanceof Headers || isTransferred(value)) return true;
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
  return stub;
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
  const moved = typeof value === "function" || typeof value === "object" ? value && transferStub(value, place.scope) : undefined;
  if (moved) return made(moved, place);
  if (isTransferred(value)) return value;
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

/**
 * Passed as they are: bodies and streams move to the receiver, as workerd transfers them;
 * stubs, ids and abort signals are references (workerd's `enable_abortsignal_rpc`).
 */
function isTransferred(value: unknown): boolean {
  return (
    value instanceof Request || value instanceof Response || value instanceof ReadableStream ||
    value instanceof WritableStream || value instanceof AbortSignal || value instanceof DurableObjectId ||
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
 * What the caller sees for an error thrown by the callee: the same built-in class and
 * message; other classes become `Error` with "Name: message". Extra own properties are
 * dropped, or kept (cloned) with `enhanced_error_serialization`, when they can be cloned.
 */
export function toRemoteError(error: unknown, keepProperties = false): RemoteError {
  let rebuilt: Error;
  if (isDomException(error)) {
    rebuilt = domException(error.message, error.name);
  } else if (error instanceof Error) {
    const Ctor = CLONEABLE_ERRORS[error.name];
    rebuilt = Ctor ? new Ctor(error.message) : new Error(`${error.name}: ${error.message}`);
  } else {
    rebuilt = new Error(String(error));
  }
  if (keepProperties && error instanceof Error) Object.assign(rebuilt, ownProperties(error));
  return Object.assign(rebuilt, { remote: true as const });
}

/** An error's own enumerable properties, cloned; none when one of them cannot be. */
function ownProperties(error: Error): Record<string, unknown> {
  try {
    return clone({ ...error });
  } catch {
    return {};
  }
}
