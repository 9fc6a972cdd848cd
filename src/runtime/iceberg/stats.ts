import {
  compareBytes,
  compareCodePoints,
  compareDoubles,
  serializeBound,
  truncateBinaryLower,
  truncateBinaryUpper,
  truncateStringLower,
  truncateStringUpper,
} from "./bounds";
import type { SchemaField } from "./schema";
import type { IcebergValue } from "./values";

/** Per-column metrics as Iceberg's `data_file` records them (bounds already serialized). */
export interface ColumnStats {
  readonly valueCount: number;
  readonly nullCount: number;
  /** Only for `double` columns. */
  readonly nanCount?: number;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
  /** Bytes of this column in the data file, when known. */
  readonly columnSize?: number;
}

/** Computes Iceberg metrics for one column; values must already be checked against `field`. */
export function columnStats(field: SchemaField, values: readonly (IcebergValue | undefined)[]): ColumnStats {
  let nullCount = 0;
  let nanCount = 0;
  let min: Exclude<IcebergValue, null> | undefined;
  let max: Exclude<IcebergValue, null> | undefined;
  const compare = comparator(field);
  for (const value of values) {
    if (value === null || value === undefined) {
      nullCount++;
      continue;
    }
    if (typeof value === "number" && Number.isNaN(value)) {
      nanCount++;
      continue;
    }
    if (min === undefined || compare(value, min) < 0) min = value;
    if (max === undefined || compare(value, max) > 0) max = value;
  }
  const bounds = min === undefined || max === undefined ? {} : serializedBounds(field, min, max);
  return {
    valueCount: values.length,
    nullCount,
    ...(field.type === "double" ? { nanCount } : {}),
    ...bounds,
  };
}

type NonNull = Exclude<IcebergValue, null>;

function comparator(field: SchemaField): (a: NonNull, b: NonNull) => number {
  switch (field.type) {
    case "long":
      return (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
    case "double":
      return (a, b) => compareDoubles(a as number, b as number);
    case "boolean":
      return (a, b) => Number(a) - Number(b);
    case "binary":
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case "string":
      return (a, b) => compareCodePoints(a as string, b as string);
  }
}

function serializedBounds(field: SchemaField, min: NonNull, max: NonNull): Pick<ColumnStats, "lowerBound" | "upperBound"> {
  if (field.type === "string") {
    const upper = truncateStringUpper(max as string);
    return {
      lowerBound: serializeBound("string", truncateStringLower(min as string)),
      ...(upper === undefined ? {} : { upperBound: serializeBound("string", upper) }),
    };
  }
  if (field.type === "binary") {
    const upper = truncateBinaryUpper(max as Uint8Array);
    return { lowerBound: truncateBinaryLower(min as Uint8Array).slice(), ...(upper === undefined ? {} : { upperBound: upper.slice() }) };
  }
  return { lowerBound: serializeBound(field.type, min), upperBound: serializeBound(field.type, max) };
}
