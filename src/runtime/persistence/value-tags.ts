import { base64ToBytes, bytesToBase64 } from "./base64";
import type { SqlValue } from "./sql-port";

/**
 * A value whose storage class differs from its field's type, tagged so it comes back as the
 * same storage class: `i` INTEGER (decimal), `r` REAL (JS number text, exact), `t` TEXT,
 * `b` BLOB (base64).
 */
export type TaggedValue = ["i" | "r" | "t" | "b", string];

/** Per row, column name → tagged value; stored as JSON text in the companion field. */
export type OtherCells = Record<string, TaggedValue>;

export function tagValue(value: Exclude<SqlValue, null>): TaggedValue {
  if (typeof value === "bigint") return ["i", value.toString()];
  if (typeof value === "number") return ["r", Object.is(value, -0) ? "-0" : String(value)];
  if (typeof value === "string") return ["t", value];
  return ["b", bytesToBase64(value)];
}

export function untagValue([tag, text]: TaggedValue): Exclude<SqlValue, null> {
  switch (tag) {
    case "i":
      return BigInt(text);
    case "r":
      return Number(text);
    case "t":
      return text;
    case "b":
      return base64ToBytes(text);
  }
}
