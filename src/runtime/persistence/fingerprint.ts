import type { Row } from "../iceberg/values";

// Four 32-bit multiply-xor lanes with distinct seeds and multipliers: 128 bits in all.
const SEEDS = [0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35];
const MULTIPLIERS = [0x01000193, 0x9e3779b1, 0x85ebca77, 0xc2b2ae3d];

/**
 * A 128-bit non-cryptographic hash of rows, kept per data file so a checkpoint can tell
 * whether the rows in a file's range changed without writing them again. Values are fed
 * with their type and length, so different rows cannot run together into the same input.
 */
export class Fingerprint {
  readonly #lanes = [...SEEDS];

  /** Adds rows, each value of `fields` in order. */
  addRows(rows: readonly Row[], fields: readonly string[]): this {
    for (const row of rows) for (const field of fields) this.#addValue(row[field] ?? null);
    return this;
  }

  digest(): string {
    return this.#lanes.map((h) => (fmix(h) >>> 0).toString(16).padStart(8, "0")).join("");
  }

  #addValue(value: Row[string]): void {
    if (value === null) return this.#unit(0);
    if (value instanceof Uint8Array) {
      this.#unit(1);
      this.#unit(value.length);
      for (const byte of value) this.#unit(byte);
      return;
    }
    const text = typeof value === "number" ? (Object.is(value, -0) ? "-0" : String(value)) : String(value);
    this.#unit(typeof value === "bigint" ? 2 : typeof value === "number" ? 3 : typeof value === "string" ? 4 : 5);
    this.#unit(text.length);
    for (let i = 0; i < text.length; i++) this.#unit(text.charCodeAt(i));
  }

  #unit(unit: number): void {
    const lanes = this.#lanes;
    for (let i = 0; i < 4; i++) lanes[i] = Math.imul(lanes[i]! ^ unit, MULTIPLIERS[i]!);
  }
}

/** murmur3's finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
