/**
 * A schema-driven Avro datum codec (Avro 1.11 binary encoding), interpreted rather than
 * compiled. avsc, the usual JS library, builds its record readers and writers with
 * `new Function`, which workerd and Vercel Edge refuse ("Code generation from strings
 * disallowed"), and its type layer needs Node's `buffer` and `util` modules. Iceberg metadata
 * uses a small part of Avro, so this covers exactly that part: null, boolean, int, long, float,
 * double, bytes, string, fixed, enum, record, array, map, union and named-type references.
 * Longs are JS numbers (Iceberg's manifest longs are counts, sizes, ids below 2^53); writing
 * also accepts bigints.
 */
import { AvroReader, AvroWriter } from "./binary";

/** A raw Avro schema as JSON; extra attributes such as `field-id` are carried along unread. */
export type AvroSchema = string | AvroSchema[] | { readonly [key: string]: unknown };

interface Codec {
  accepts(value: unknown): boolean;
  write(w: AvroWriter, value: unknown): void;
  read(r: AvroReader): unknown;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

const isInteger = (v: unknown) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";

const PRIMITIVES: Record<string, Codec> = {
  null: { accepts: (v) => v === null || v === undefined, write: () => {}, read: () => null },
  boolean: { accepts: (v) => typeof v === "boolean", write: (w, v) => w.byte(v ? 1 : 0), read: (r) => r.byte() !== 0 },
  int: { accepts: isInteger, write: (w, v) => w.long(v as number), read: (r) => r.long() },
  long: { accepts: isInteger, write: (w, v) => w.long(v as number | bigint), read: (r) => r.long() },
  float: { accepts: (v) => typeof v === "number", write: (w, v) => w.float(v as number), read: (r) => r.float() },
  double: { accepts: (v) => typeof v === "number", write: (w, v) => w.double(v as number), read: (r) => r.double() },
  bytes: { accepts: (v) => v instanceof Uint8Array, write: (w, v) => w.bytes(v as Uint8Array), read: (r) => r.bytes() },
  string: {
    accepts: (v) => typeof v === "string",
    write: (w, v) => w.bytes(utf8.encode(v as string)),
    read: (r) => utf8Decoder.decode(r.bytes()),
  },
};

export interface DatumCodec {
  encode(value: unknown): Uint8Array;
  /** Reads one datum at `reader`'s offset; throws RangeError on truncated data. */
  read(reader: AvroReader): unknown;
  write(writer: AvroWriter, value: unknown): void;
}

export function datumCodec(schema: AvroSchema): DatumCodec {
  const codec = compile(schema, new Map(), "");
  return {
    encode(value) {
      const w = new AvroWriter();
      codec.write(w, value);
      return w.finish();
    },
    read: (r) => codec.read(r),
    write: (w, v) => codec.write(w, v),
  };
}

function fullName(name: string, namespace: string): string {
  return name.includes(".") || namespace === "" ? name : `${namespace}.${name}`;
}

function compile(schema: AvroSchema, named: Map<string, Codec>, namespace: string): Codec {
  if (typeof schema === "string") {
    const found = PRIMITIVES[schema] ?? named.get(fullName(schema, namespace)) ?? named.get(schema);
    if (found === undefined) throw new TypeError(`unknown Avro type "${schema}"`);
    return found;
  }
  if (Array.isArray(schema)) return union(schema.map((branch) => compile(branch, named, namespace)));
  const type = schema["type"];
  if (typeof type !== "string" && !Array.isArray(type)) throw new TypeError(`Avro schema without a type`);
  if (typeof type === "string" && type in PRIMITIVES) return PRIMITIVES[type] as Codec;
  switch (type) {
    case "record":
    case "error":
      return record(schema, named, namespace);
    case "array":
      return array(compile(schema["items"] as AvroSchema, named, namespace));
    case "map":
      return map(compile(schema["values"] as AvroSchema, named, namespace));
    case "fixed":
      return define(schema, named, namespace, () => fixed(Number(schema["size"])));
    case "enum":
      return define(schema, named, namespace, () => enumeration(schema["symbols"] as string[]));
    default:
      return compile(type as AvroSchema, named, namespace);
  }
}

function define(schema: { readonly [key: string]: unknown }, named: Map<string, Codec>, namespace: string, make: () => Codec): Codec {
  const codec = make();
  named.set(fullName(String(schema["name"]), String(schema["namespace"] ?? namespace)), codec);
  return codec;
}

function record(schema: { readonly [key: string]: unknown }, named: Map<string, Codec>, outer: string): Codec {
  const name = fullName(String(schema["name"]), String(schema["namespace"] ?? outer));
  const namespace = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
  const fields: { name: string; codec: Codec; fallback: unknown }[] = [];
  // Registered before its fields compile, so a record may refer to itself.
  const codec: Codec = {
    accepts: (v) => typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v),
    write(w, value) {
      const obj = value as Record<string, unknown>;
      for (const f of fields) f.codec.write(w, obj[f.name] === undefined ? f.fallback : obj[f.name]);
    },
    read(r) {
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.codec.read(r);
      return out;
    },
  };
  named.set(name, codec);
  for (const field of schema["fields"] as { name: string; type: AvroSchema; default?: unknown }[]) {
    fields.push({ name: field.name, codec: compile(field.type, named, namespace), fallback: field.default ?? null });
  }
  return codec;
}

/** Array and map blocks: a count (negative: followed by a byte size), items, and a 0 count to end. */
function readBlocks(r: AvroReader, item: () => void): void {
  for (;;) {
    let count = r.long();
    if (count === 0) return;
    if (count < 0) {
      count = -count;
      r.long();
    }
    if (count > r.remaining) throw new RangeError(`block claims ${count} items in ${r.remaining} bytes`);
    for (let i = 0; i < count; i++) item();
  }
}

function array(items: Codec): Codec {
  return {
    accepts: Array.isArray,
    write(w, value) {
      const list = value as unknown[];
      if (list.length > 0) {
        w.long(list.length);
        for (const v of list) items.write(w, v);
      }
      w.long(0);
    },
    read(r) {
      const out: unknown[] = [];
      readBlocks(r, () => out.push(items.read(r)));
      return out;
    },
  };
}

function map(values: Codec): Codec {
  return {
    accepts: (v) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array),
    write(w, value) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0) {
        w.long(entries.length);
        for (const [k, v] of entries) {
          w.bytes(utf8.encode(k));
          values.write(w, v);
        }
      }
      w.long(0);
    },
    read(r) {
      // Keys are arbitrary strings: no prototype, so "__proto__" stays a key.
      const out: Record<string, unknown> = Object.create(null);
      readBlocks(r, () => {
        const key = utf8Decoder.decode(r.bytes());
        out[key] = values.read(r);
      });
      return out;
    },
  };
}

function union(branches: Codec[]): Codec {
  return {
    accepts: (v) => branches.some((b) => b.accepts(v)),
    write(w, value) {
      const index = branches.findIndex((b) => b.accepts(value));
      if (index < 0) throw new TypeError(`no union branch accepts ${String(value)}`);
      w.long(index);
      (branches[index] as Codec).write(w, value);
    },
    read(r) {
      const index = r.long();
      const branch = branches[index];
      if (branch === undefined) throw new RangeError(`union index ${index} out of range`);
      return branch.read(r);
    },
  };
}

function fixed(size: number): Codec {
  return {
    accepts: (v) => v instanceof Uint8Array && v.length === size,
    write: (w, v) => w.raw(v as Uint8Array),
    read: (r) => r.raw(size),
  };
}

function enumeration(symbols: readonly string[]): Codec {
  return {
    accepts: (v) => typeof v === "string" && symbols.includes(v),
    write: (w, v) => w.long(symbols.indexOf(v as string)),
    read(r) {
      const symbol = symbols[r.long()];
      if (symbol === undefined) throw new RangeError("enum index out of range");
      return symbol;
    },
  };
}
