import type { PrimitiveType } from "../iceberg/schema";

/** The Iceberg primitive types a SQLite column is carried as. */
export type FieldType = Extract<PrimitiveType, "long" | "double" | "string" | "binary">;

/**
 * The Iceberg type for a declared SQLite column type: SQLite's affinity rules
 * (https://sqlite.org/datatype3.html §3.1), then, for NUMERIC affinity, the type the name
 * suggests, since such columns mostly hold text (JSON, DATETIME) rather than numbers.
 * Values of another storage class still round-trip through the row's companion column.
 */
export function fieldTypeFor(declaredType: string): FieldType {
  const t = declaredType.toUpperCase();
  if (t.includes("INT")) return "long";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "string";
  if (t.includes("BLOB")) return "binary";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "double";
  if (t.includes("BOOL")) return "long";
  if (t.includes("DEC") || t.includes("NUM") || t.includes("MONEY")) return "double";
  return "string";
}
