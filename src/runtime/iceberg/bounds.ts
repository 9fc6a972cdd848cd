import type { PrimitiveType } from "./schema";

/**
 * Iceberg's single-value binary serialization (spec, Appendix D) for the types dotdo writes,
 * plus the ordering Iceberg uses for bounds.
 */
export type BoundValue = bigint | number | string | Uint8Array | boolean;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export function serializeBound(type: PrimitiveType, value: BoundValue): Uint8Array {
  switch (type) {
    case "long": {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, value as bigint, true);
      return out;
    }
    case "double": {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, value as number, true);
      return out;
    }
    case "boolean":
      return new Uint8Array([value ? 1 : 0]);
    case "string":
      return utf8.encode(value as string);
    case "binary":
      return value as Uint8Array;
  }
}

export function deserializeBound(type: PrimitiveType, bytes: Uint8Array): BoundValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case "long":
      return view.getBigInt64(0, true);
    case "double":
      return view.getFloat64(0, true);
    case "boolean":
      return bytes[0] === 1;
    case "string":
      return utf8Decoder.decode(bytes);
    case "binary":
      return bytes;
  }
}

/** Unsigned lexicographic order, which for UTF-8 is also Unicode code point order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Unicode code point order (the order of UTF-8 bytes, which Iceberg uses). JS `<` compares
 * UTF-16 units instead, which differs only where a surrogate meets U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Iceberg orders -0 before 0, as Java's Double.compare does. */
export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === 0 && b === 0) return Object.is(a, -0) === Object.is(b, -0) ? 0 : Object.is(a, -0) ? -1 : 1;
  return 0;
}

/** Bytes kept in a string or binary bound, as Iceberg's default `truncate(16)` metrics mode. */
export const TRUNCATE_LENGTH = 16;

/** A prefix of `value` of at most {@link TRUNCATE_LENGTH} code points: a valid lower bound. */
export function truncateStringLower(value: string): string {
  return Array.from(value).slice(0, TRUNCATE_LENGTH).join("");
}

/**
 * The smallest string above every string starting with the truncated prefix, or undefined when
 * no such string exists (every code point is already the maximum).
 */
export function truncateStringUpper(value: string): string | undefined {
  const points = Array.from(value);
  if (points.length <= TRUNCATE_LENGTH) return value;
  const prefix = points.slice(0, TRUNCATE_LENGTH).map((p) => p.codePointAt(0) as number);
  for (let i = prefix.length - 1; i >= 0; i--) {
    let next = (prefix[i] as number) + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not code points
    if (next <= 0x10ffff) return String.fromCodePoint(...prefix.slice(0, i), next);
  }
  return undefined;
}

export function truncateBinaryLower(value: Uint8Array): Uint8Array {
  return value.subarray(0, TRUNCATE_LENGTH);
}

export function truncateBinaryUpper(value: Uint8Array): Uint8Array | undefined {
  if (value.length <= TRUNCATE_LENGTH) return value;
  for (let i = TRUNCATE_LENGTH - 1; i >= 0; i--) {
    if ((value[i] as number) < 0xff) {
      const out = value.slice(0, i + 1);
      out[i] = (out[i] as number) + 1;
      return out;
    }
  }
  return undefined;
}
