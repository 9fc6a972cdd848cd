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

/** Errors by shape, not `instanceof`: an error may come from another realm (see `tagOf`). */
export function isErrorLike(value: unknown): value is Error {
  if (typeof value !== "object" || value === null) return false;
  const { name, message } = value as { name?: unknown; message?: unknown };
  return typeof name === "string" && typeof message === "string";
}

export function captureError(error: unknown): CapturedError {
  if (isErrorLike(error)) return { name: error.name, message: error.message };
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

/**
 * The built-in type of an object by its internal tag, not `instanceof`: values can come
 * from another realm (edge-runtime's structuredClone runs in the host's), and must encode
 * the same as this realm's.
 */
function tagOf(object: object): string {
  return Object.prototype.toString.call(object).slice(8, -1);
}

function isPlain(object: object): boolean {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === null) return true;
  return Object.getPrototypeOf(proto) === null && (proto as { constructor?: { name?: string } }).constructor?.name === "Object";
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

  const tag = tagOf(object);
  if (tag === "ArrayBuffer") return { type: "ArrayBuffer", bytes: bytesOf(new Uint8Array(object as ArrayBuffer)) };
  if (ArrayBuffer.isView(object)) return { type: tag, bytes: bytesOf(object) };
  if (tag === "Date") return { type: "Date", value: (object as Date).getTime() };
  if (tag === "RegExp") return { type: "RegExp", source: (object as RegExp).source, flags: (object as RegExp).flags };
  if (tag === "Error") return { type: "Error", ...captureError(object) };
  if (tag === "Map") {
    return {
      type: "Map",
      entries: [...(object as Map<unknown, unknown>)].map(([k, v], i) => [
        encode(k, seen, `${path}.k${i}`),
        encode(v, seen, `${path}.v${i}`),
      ]),
    };
  }
  if (tag === "Set") {
    return { type: "Set", values: [...(object as Set<unknown>)].map((v, i) => encode(v, seen, `${path}[${i}]`)) };
  }
  if (Array.isArray(object)) return object.map((v, i) => encode(v, seen, `${path}[${i}]`));
  const entries = Object.entries(object).map(([k, v]) => [k, encode(v, seen, `${path}.${k}`)] as const);
  if (isPlain(object)) return Object.fromEntries(entries);
  return { type: "object", constructor: object.constructor?.name ?? "?", entries: Object.fromEntries(entries) };
}
