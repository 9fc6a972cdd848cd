/**
 * Turns any value a scenario produces into plain JSON that compares exactly across
 * runtimes: types that JSON would lose or blur (undefined, BigInt, NaN, binary data,
 * Date, Map, Set, errors, cycles) become tagged objects.
 */
export type Encoded = null | boolean | number | string | EncodedArray | EncodedObject;
// Interfaces (not inline types) keep the recursion lazy for RPC stub type mapping.
export interface EncodedArray extends Array<Encoded> {}
export interface EncodedObject {
  [key: string]: Encoded;
}

export interface CapturedError {
  name: string;
  message: string;
}

/** Outcome of an operation that may throw: scenarios report either side, never crash. */
export type Outcome = { ok: Encoded } | { threw: CapturedError };

export function captureError(error: unknown): CapturedError {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: typeof error, message: String(error) };
}

export async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    return { ok: encode(await fn()) };
  } catch (error) {
    return { threw: captureError(error) };
  }
}

export function outcomeSync(fn: () => unknown): Outcome {
  try {
    return { ok: encode(fn()) };
  } catch (error) {
    return { threw: captureError(error) };
  }
}

function bytesOf(view: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

export function encode(value: unknown, seen: Map<object, string> = new Map(), path = "$"): Encoded {
  switch (typeof value) {
    case "undefined":
      return { type: "undefined" };
    case "bigint":
      return { type: "BigInt", value: value.toString() };
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { type: "number", value: Object.is(value, -0) ? "-0" : String(value) };
    case "string":
    case "boolean":
      return value;
    case "symbol":
      return { type: "symbol", value: String(value) };
    case "function":
      return { type: "function" };
  }
  if (value === null) return null;
  const object = value as object;
  const earlier = seen.get(object);
  if (earlier !== undefined) return { type: "Circular", path: earlier };
  seen.set(object, path);

  if (object instanceof ArrayBuffer) return { type: "ArrayBuffer", bytes: bytesOf(new Uint8Array(object)) };
  if (ArrayBuffer.isView(object)) return { type: object.constructor.name, bytes: bytesOf(object) };
  if (object instanceof Date) return { type: "Date", value: object.getTime() };
  if (object instanceof RegExp) return { type: "RegExp", source: object.source, flags: object.flags };
  if (object instanceof Error) return { type: "Error", ...captureError(object) };
  if (object instanceof Map) {
    return {
      type: "Map",
      entries: [...object].map(([k, v], i) => [encode(k, seen, `${path}.k${i}`), encode(v, seen, `${path}.v${i}`)]),
    };
  }
  if (object instanceof Set) {
    return { type: "Set", values: [...object].map((v, i) => encode(v, seen, `${path}[${i}]`)) };
  }
  if (Array.isArray(object)) return object.map((v, i) => encode(v, seen, `${path}[${i}]`));
  const entries = Object.entries(object).map(([k, v]) => [k, encode(v, seen, `${path}.${k}`)] as const);
  const plain = Object.getPrototypeOf(object) === Object.prototype || Object.getPrototypeOf(object) === null;
  if (plain) return Object.fromEntries(entries);
  return { type: "object", constructor: object.constructor?.name ?? "?", entries: Object.fromEntries(entries) };
}
