import { InvalidIcebergInputError } from "./errors";
import type { PrimitiveType, SchemaField } from "./schema";

/** One cell: `long` is a bigint (exact beyond 2^53), `binary` a Uint8Array, null when absent. */
export type IcebergValue = bigint | number | string | Uint8Array | boolean | null;

/** One row keyed by field name. */
export type Row = Record<string, IcebergValue>;

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** Whether a non-null `value` can be stored as is in a field of `type` (a long within 64 bits). */
export function fitsType(type: PrimitiveType, value: Exclude<IcebergValue, null>): boolean {
  switch (type) {
    case "long":
      return typeof value === "bigint" && value >= MIN_LONG && value <= MAX_LONG;
    case "double":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "binary":
      return value instanceof Uint8Array;
    case "boolean":
      return typeof value === "boolean";
  }
}

/** Throws a typed error naming the column when `value` cannot be stored in `field`. */
export function checkValue(field: SchemaField, value: IcebergValue | undefined, rowIndex: number): void {
  if (value === null || value === undefined) {
    if (field.required) {
      throw new InvalidIcebergInputError(`row ${rowIndex}: required column "${field.name}" is null`);
    }
    return;
  }
  if (!fitsType(field.type, value)) {
    const shown = typeof value === "object" ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
    throw new InvalidIcebergInputError(
      `row ${rowIndex}: column "${field.name}" of type ${field.type} cannot hold a ${shown} value`,
    );
  }
}
