/**
 * The size V8's ValueSerializer (format version 15) gives a value, without V8: workerd
 * measures some limits in these bytes (a WebSocket attachment's 16 KiB). Covers what
 * structured clone accepts; for Errors the stack text, which differs between engines, is
 * counted as this runtime has it. `value` must already be known to be cloneable.
 */
export function v8SerializedSize(value: unknown): number {
  const sizer = new Sizer();
  sizer.offset = 2; // version tag and version
  sizer.value(value);
  return sizer.offset;
}

/** V8 keeps integers in this range as Smis (31 bits with pointer compression, as workerd builds it). */
const SMI_MIN = -(2 ** 30);
const SMI_MAX = 2 ** 30 - 1;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

class Sizer {
  offset = 0;
  readonly #ids = new Map<object, number>();

  value(value: unknown): void {
    switch (typeof value) {
      case "undefined":
      case "boolean":
        this.offset += 1;
        return;
      case "number":
        this.#number(value);
        return;
      case "bigint":
        this.offset += 1;
        this.#bigint(value);
        return;
      case "string":
        this.#string(value);
        return;
      case "object":
        if (value === null) this.offset += 1;
        else this.#object(value);
        return;
      default:
        throw new TypeError(`${typeof value} values are not serializable`);
    }
  }

  #number(value: number): void {
    const smi = Number.isInteger(value) && value >= SMI_MIN && value <= SMI_MAX && !Object.is(value, -0);
    this.offset += smi ? 1 + varintLength(value >= 0 ? value * 2 : -value * 2 - 1) : 9;
  }

  /** Without the tag: a bitfield of byte length and sign, then 64-bit digits. */
  #bigint(value: bigint): void {
    const magnitude = value < 0n ? -value : value;
    const bytes = Math.ceil(magnitude.toString(2).replace(/^0$/, "").length / 64) * 8;
    this.offset += varintLength(bytes * 2 + (value < 0n ? 1 : 0)) + bytes;
  }

  #string(value: string): void {
    // One byte per character when every one fits in Latin-1; UTF-16 otherwise, aligned to 2.
    if (!/[^\u0000-\u00ff]/.test(value)) {
      this.offset += 1 + varintLength(value.length) + value.length;
      return;
    }
    const bytes = value.length * 2;
    if ((this.offset + 1 + varintLength(bytes)) % 2 === 1) this.offset += 1;
    this.offset += 1 + varintLength(bytes) + bytes;
  }

  #object(object: object): void {
    const id = this.#ids.get(object);
    if (id !== undefined) {
      this.offset += 1 + varintLength(id);
      return;
    }
    this.#ids.set(object, this.#ids.size);
    const tag = Object.prototype.toString.call(object).slice(8, -1);
    if (ArrayBuffer.isView(object)) {
      this.value(object.buffer);
      this.offset += 2 + varintLength(object.byteOffset) + varintLength(object.byteLength) + 1;
      return;
    }
    switch (tag) {
      case "Array":
        this.#array(object as unknown[]);
        return;
      case "ArrayBuffer":
      case "SharedArrayBuffer": {
        const length = (object as ArrayBuffer).byteLength;
        this.offset += 1 + varintLength(length) + length;
        return;
      }
      case "Date":
        this.offset += 9;
        return;
      case "RegExp": {
        const regexp = object as RegExp;
        this.offset += 1;
        this.#string(regexp.source);
        this.offset += varintLength(regExpFlagBits(regexp.flags));
        return;
      }
      case "Map": {
        const map = object as Map<unknown, unknown>;
        this.offset += 1;
        for (const [key, entry] of map) {
          this.value(key);
          this.value(entry);
        }
        this.offset += 1 + varintLength(map.size * 2);
        return;
      }
      case "Set": {
        const set = object as Set<unknown>;
        this.offset += 1;
        for (const entry of set) this.value(entry);
        this.offset += 1 + varintLength(set.size);
        return;
      }
      case "Error":
        this.#error(object as Error);
        return;
      case "Number":
        this.offset += 9;
        return;
      case "Boolean":
        this.offset += 1;
        return;
      case "String":
        this.offset += 1;
        this.#string(String.prototype.valueOf.call(object));
        return;
      case "BigInt":
        this.offset += 1;
        this.#bigint(BigInt.prototype.valueOf.call(object));
        return;
      default:
        this.offset += 1;
        this.#properties(object, Object.keys(object));
        this.offset += 1 + varintLength(Object.keys(object).length);
    }
  }

  /** Dense (every index present) or sparse; both end with the count of other properties and the length. */
  #array(array: unknown[]): void {
    const keys = Object.keys(array);
    const dense = keys.length >= array.length && keys.slice(0, array.length).every((key, i) => key === String(i));
    this.offset += 1 + varintLength(array.length);
    if (dense) {
      for (const element of array) this.value(element);
      const rest = keys.slice(array.length);
      this.#properties(array, rest);
      this.offset += 1 + varintLength(rest.length) + varintLength(array.length);
    } else {
      this.#properties(array, keys);
      this.offset += 1 + varintLength(keys.length) + varintLength(array.length);
    }
  }

  /** Keys that are array indices are written as numbers, the others as strings. */
  #properties(object: object, keys: readonly string[]): void {
    for (const key of keys) {
      if (ARRAY_INDEX.test(key) && Number(key) <= 2 ** 32 - 2) this.#number(Number(key));
      else this.#string(key);
      this.value((object as Record<string, unknown>)[key]);
    }
  }

  /** A prototype tag unless plain Error, the message, the stack, and an end tag. */
  #error(error: Error): void {
    this.offset += 1;
    if (["EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"].includes(error.name)) this.offset += 1;
    if (Object.prototype.hasOwnProperty.call(error, "message")) {
      this.offset += 1;
      this.#string(String(error.message));
    }
    if (typeof error.stack === "string") {
      this.offset += 1;
      this.#string(error.stack);
    }
    this.offset += 1;
  }
}

function regExpFlagBits(flags: string): number {
  // V8's JSRegExp::Flags bit order.
  return [..."gimyusldv"].reduce((bits, flag, bit) => (flags.includes(flag) ? bits | (1 << bit) : bits), 0);
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}
