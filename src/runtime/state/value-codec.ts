import { errorWithCode } from "../errors";

/**
 * A self-contained, versioned encoding for KV values with structured-clone semantics
 * (Date, RegExp, Map, Set, ArrayBuffer and views, BigInt, Error, boxed primitives,
 * sparse arrays, shared and cyclic references). Plain web-standard code, so a value
 * written on one runtime restores on any other; node:v8 is deliberately not used.
 *
 * Layout: MAGIC (2 bytes) + VERSION (1 byte) + one tagged value.
 */
const MAGIC_0 = 0x64; // "d"
const MAGIC_1 = 0x6f; // "o"
const VERSION = 1;

const enum Tag {
  Undefined = 0, Null, True, False, Number, BigInt, String, Date, RegExp, ArrayBuffer,
  TypedArray, Array, Object, Map, Set, Hole, Ref, Error, BooleanObject, NumberObject,
  StringObject, BigIntObject, DataView, External,
}

const TYPED_ARRAYS = [
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array", "Float16Array",
] as const;

const ERROR_TYPES: Record<string, ErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

/** Stored bytes that are not a value in this encoding (corrupt, or from a newer version). */
export class ValueDecodeError extends errorWithCode("VALUE_DECODE") {}

/**
 * Values the runtime stores by description rather than by content (a stub, a Durable Object
 * class handle): `write` describes one (undefined: not such a value; it throws when the value
 * may not be stored), `read` makes a live one again. `detail` is encoded as a value itself, so
 * it may hold more of them.
 */
export interface ValueExternals {
  write(value: object): ExternalForm | undefined;
  read(form: ExternalForm): unknown;
}

export interface ExternalForm {
  readonly kind: string;
  readonly name: string;
  readonly detail: unknown;
}

type TypedArrayLike = ArrayBufferView & { readonly length: number };
type TypedArrayConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArrayLike;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

class Writer {
  constructor(readonly externals?: ValueExternals) {}
  bytes = new Uint8Array(256);
  length = 0;
  readonly #view = () => new DataView(this.bytes.buffer);

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  float(value: number): void {
    this.reserve(8);
    this.#view().setFloat64(this.length, value, true);
    this.length += 8;
  }

  raw(chunk: Uint8Array): void {
    this.varint(chunk.length);
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  string(value: string): void {
    this.raw(encoder.encode(value));
  }
}

class Reader {
  offset = 0;
  readonly #view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly externals?: ValueExternals,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new ValueDecodeError("Stored value is truncated");
    return this.bytes[this.offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  float(): number {
    if (this.offset + 8 > this.bytes.length) throw new ValueDecodeError("Stored value is truncated");
    const value = this.#view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  raw(): Uint8Array {
    const length = this.varint();
    if (this.offset + length > this.bytes.length) throw new ValueDecodeError("Stored value is truncated");
    const chunk = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return chunk;
  }

  string(): string {
    return decoder.decode(this.raw());
  }
}

/** Encodes `value`; throws a DataCloneError (like structuredClone) for what cannot be cloned. */
export function encodeValue(value: unknown, externals?: ValueExternals): Uint8Array {
  const writer = new Writer(externals);
  writer.byte(MAGIC_0);
  writer.byte(MAGIC_1);
  writer.byte(VERSION);
  writeValue(writer, value, new Map());
  return writer.bytes.slice(0, writer.length);
}

/** Decodes bytes written by `encodeValue`, on any runtime. */
export function decodeValue(bytes: Uint8Array, externals?: ValueExternals): unknown {
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) throw new ValueDecodeError("Stored value is not in dotdo's value encoding");
  if (bytes[2] !== VERSION) throw new ValueDecodeError(`Stored value uses encoding version ${bytes[2]}; this runtime reads version ${VERSION}`);
  const reader = new Reader(bytes, externals);
  reader.offset = 3;
  const value = readValue(reader, []);
  if (reader.offset !== bytes.length) throw new ValueDecodeError("Stored value has trailing bytes");
  return value;
}

function writeValue(w: Writer, value: unknown, seen: Map<object, number>): void {
  const external = (typeof value === "object" || typeof value === "function") && value !== null ? w.externals?.write(value) : undefined;
  if (external) {
    w.byte(Tag.External);
    w.string(external.kind);
    w.string(external.name);
    return writeValue(w, external.detail, seen);
  }
  switch (typeof value) {
    case "undefined":
      return w.byte(Tag.Undefined);
    case "boolean":
      return w.byte(value ? Tag.True : Tag.False);
    case "number":
      w.byte(Tag.Number);
      return w.float(value);
    case "bigint":
      w.byte(Tag.BigInt);
      return w.string(value.toString(16));
    case "string":
      w.byte(Tag.String);
      return w.string(value);
    case "object":
      if (value === null) return w.byte(Tag.Null);
      return writeObject(w, value, seen);
    default:
      return notCloneable(value);
  }
}

function writeObject(w: Writer, value: object, seen: Map<object, number>): void {
  const ref = seen.get(value);
  if (ref !== undefined) {
    w.byte(Tag.Ref);
    return w.varint(ref);
  }
  seen.set(value, seen.size);
  // Types are told by their internal tag, not `instanceof`, so values from another realm
  // (edge-runtime runs code in a VM context) encode the same.
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (Array.isArray(value)) {
    w.byte(Tag.Array);
    w.varint(value.length);
    for (let i = 0; i < value.length; i++) {
      if (i in value) writeValue(w, value[i], seen);
      else w.byte(Tag.Hole);
    }
  } else if (tag === "Date") {
    w.byte(Tag.Date);
    w.float((value as Date).getTime());
  } else if (tag === "RegExp") {
    w.byte(Tag.RegExp);
    w.string((value as RegExp).source);
    w.string((value as RegExp).flags);
  } else if (tag === "ArrayBuffer") {
    w.byte(Tag.ArrayBuffer);
    w.raw(new Uint8Array(value as ArrayBuffer));
  } else if (tag === "DataView") {
    const view = value as DataView;
    w.byte(Tag.DataView);
    writeObject(w, view.buffer, seen);
    w.varint(view.byteOffset);
    w.varint(view.byteLength);
  } else if (ArrayBuffer.isView(value)) {
    const kind = TYPED_ARRAYS.indexOf(tag as (typeof TYPED_ARRAYS)[number]);
    if (kind === -1 || Object.prototype.toString.call(value.buffer) !== "[object ArrayBuffer]") return notCloneable(value);
    w.byte(Tag.TypedArray);
    w.byte(kind);
    writeObject(w, value.buffer, seen);
    w.varint(value.byteOffset);
    w.varint((value as TypedArrayLike).length);
  } else if (tag === "Map") {
    const map = value as Map<unknown, unknown>;
    w.byte(Tag.Map);
    w.varint(map.size);
    for (const [key, entry] of map) {
      writeValue(w, key, seen);
      writeValue(w, entry, seen);
    }
  } else if (tag === "Set") {
    const set = value as Set<unknown>;
    w.byte(Tag.Set);
    w.varint(set.size);
    for (const entry of set) writeValue(w, entry, seen);
  } else if (tag === "Error") {
    const error = value as Error;
    w.byte(Tag.Error);
    w.string(typeof error.name === "string" && error.name in ERROR_TYPES ? error.name : "Error");
    w.string(String(error.message));
    w.byte(typeof error.stack === "string" ? 1 : 0);
    if (typeof error.stack === "string") w.string(error.stack);
    w.byte("cause" in error ? 1 : 0);
    if ("cause" in error) writeValue(w, error.cause, seen);
  } else if (tag === "Boolean") {
    w.byte(Tag.BooleanObject);
    w.byte((value as { valueOf(): boolean }).valueOf() ? 1 : 0);
  } else if (tag === "Number") {
    w.byte(Tag.NumberObject);
    w.float((value as { valueOf(): number }).valueOf());
  } else if (tag === "String") {
    w.byte(Tag.StringObject);
    w.string((value as { valueOf(): string }).valueOf());
  } else if (tag === "BigInt") {
    w.byte(Tag.BigIntObject);
    w.string((value as { valueOf(): bigint }).valueOf().toString(16));
  } else if (tag === "Object" && typeof value !== "function") {
    // Like structured clone: own enumerable string keys; class instances become plain objects.
    const keys = Object.keys(value);
    w.byte(Tag.Object);
    w.varint(keys.length);
    for (const key of keys) {
      w.string(key);
      writeValue(w, (value as Record<string, unknown>)[key], seen);
    }
  } else {
    notCloneable(value);
  }
}

/** Throws V8's DataCloneError (as workerd does), worded the same on every runtime. */
function notCloneable(value: unknown): never {
  throw dataCloneError(value);
}

function dataCloneError(value: unknown): DOMException {
  let shown: string;
  if (typeof value === "function" || typeof value === "symbol") shown = String(value);
  else shown = `#<${(value as { constructor?: { name?: string } } | null)?.constructor?.name ?? "Object"}>`;
  return domException(`${shown} could not be cloned.`, "DataCloneError");
}

/** A DOMException with its legacy `code` (edge-runtime's polyfill leaves it out). */
export function domException(message: string, name: string): DOMException {
  const error = new DOMException(message, name);
  if (name === "DataCloneError" && error.code !== 25) Object.defineProperty(error, "code", { value: 25 });
  return error;
}

function readValue(r: Reader, objects: unknown[]): unknown {
  const tag = r.byte();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.True:
      return true;
    case Tag.False:
      return false;
    case Tag.Number:
      return r.float();
    case Tag.BigInt:
      return parseBigInt(r.string());
    case Tag.String:
      return r.string();
    case Tag.Ref: {
      const index = r.varint();
      if (index >= objects.length) throw new ValueDecodeError("Stored value has a dangling reference");
      return objects[index];
    }
    case Tag.External: {
      if (!r.externals) throw new ValueDecodeError("Stored value holds a stub, which cannot be read here");
      const kind = r.string();
      const name = r.string();
      return r.externals.read({ kind, name, detail: readValue(r, objects) });
    }
    default:
      return readObject(r, tag, objects);
  }
}

function readObject(r: Reader, tag: number, objects: unknown[]): unknown {
  const slot = objects.length;
  objects.push(undefined);
  const keep = <T>(value: T): T => {
    objects[slot] = value;
    return value;
  };
  switch (tag) {
    case Tag.Array: {
      const array = keep(new Array<unknown>(r.varint()));
      for (let i = 0; i < array.length; i++) {
        if (r.bytes[r.offset] === Tag.Hole) r.offset++;
        else array[i] = readValue(r, objects);
      }
      return array;
    }
    case Tag.Date:
      return keep(new Date(r.float()));
    case Tag.RegExp: {
      const source = r.string();
      return keep(new RegExp(source, r.string()));
    }
    case Tag.ArrayBuffer:
      return keep(r.raw().slice().buffer);
    case Tag.DataView: {
      const buffer = readValue(r, objects) as ArrayBuffer;
      return keep(new DataView(buffer, r.varint(), r.varint()));
    }
    case Tag.TypedArray: {
      const name = TYPED_ARRAYS[r.byte()];
      const Ctor = name && (globalThis as unknown as Record<string, TypedArrayConstructor | undefined>)[name];
      if (!Ctor) throw new ValueDecodeError(`Stored value holds a ${name ?? "unknown typed array"} this runtime lacks`);
      const buffer = readValue(r, objects) as ArrayBuffer;
      return keep(new Ctor(buffer, r.varint(), r.varint()));
    }
    case Tag.Map: {
      const map = keep(new Map<unknown, unknown>());
      for (let n = r.varint(); n > 0; n--) {
        const key = readValue(r, objects);
        map.set(key, readValue(r, objects));
      }
      return map;
    }
    case Tag.Set: {
      const set = keep(new Set<unknown>());
      for (let n = r.varint(); n > 0; n--) set.add(readValue(r, objects));
      return set;
    }
    case Tag.Error: {
      const Ctor = ERROR_TYPES[r.string()] ?? Error;
      const error = keep(new Ctor(r.string()));
      if (r.byte()) error.stack = r.string();
      else delete error.stack;
      if (r.byte()) error.cause = readValue(r, objects);
      return error;
    }
    case Tag.BooleanObject:
      return keep(Object(r.byte() === 1));
    case Tag.NumberObject:
      return keep(Object(r.float()));
    case Tag.StringObject:
      return keep(Object(r.string()));
    case Tag.BigIntObject:
      return keep(Object(parseBigInt(r.string())));
    case Tag.Object: {
      const object = keep({} as Record<string, unknown>);
      for (let n = r.varint(); n > 0; n--) {
        const key = r.string();
        // defineProperty: a stored "__proto__" key must stay data, as structured clone keeps it.
        Object.defineProperty(object, key, { value: readValue(r, objects), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    default:
      throw new ValueDecodeError(`Stored value has unknown tag ${tag}`);
  }
}

function parseBigInt(hex: string): bigint {
  return hex.startsWith("-") ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
}
