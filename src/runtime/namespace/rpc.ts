/** RPC values and errors with workerd's rules: cloned values, and errors rebuilt on the caller's side. */

const CLONEABLE_ERRORS: Record<string, ErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

/**
 * Clones an RPC argument or result. Like workerd, instances of user classes are refused
 * (structured clone alone would turn them into plain objects).
 */
export function cloneForRpc<T>(value: T): T {
  refuseClassInstances(value, new Set());
  return structuredClone(value);
}

function refuseClassInstances(value: unknown, seen: Set<object>): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) refuseClassInstances(item, seen);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      refuseClassInstances(key, seen);
      refuseClassInstances(item, seen);
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) refuseClassInstances(item, seen);
  } else if (!isBuiltIn(value)) {
    const type = (value as { constructor?: { name?: string } }).constructor?.name ?? "Object";
    throw new DOMException(`Could not serialize object of type "${type}". This type does not support serialization.`, "DataCloneError");
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isBuiltIn(value: object): boolean {
  return (
    value instanceof Date || value instanceof RegExp || value instanceof Error || value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) || value instanceof Boolean || value instanceof Number || value instanceof String ||
    Object.prototype.toString.call(value) !== "[object Object]"
  );
}

/** Marks an error as having come from the other side of an RPC call, as workerd does. */
export type RemoteError = Error & { remote: true };

/**
 * What the caller sees for an error thrown by the callee: the same built-in class and
 * message; other classes become `Error` with "Name: message"; extra properties are dropped.
 */
export function toRemoteError(error: unknown): RemoteError {
  let rebuilt: Error;
  if (error instanceof DOMException) {
    rebuilt = new DOMException(error.message, error.name);
  } else if (error instanceof Error) {
    const Ctor = CLONEABLE_ERRORS[error.name];
    rebuilt = Ctor ? new Ctor(error.message) : new Error(`${error.name}: ${error.message}`);
  } else {
    rebuilt = new Error(String(error));
  }
  return Object.assign(rebuilt, { remote: true as const });
}
