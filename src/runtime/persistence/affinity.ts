import type { PrimitiveType } from "../iceberg/schema";

/** The Iceberg primitive types a SQLite column is carried as. */
export type FieldType = Extract<PrimitiveType, "long" | "double" | "string" | "binary">;

/**
 * The Iceberg type for a declared SQLite column type: by SQLite's affinity, an untyped
 * column as text, and for NUMERIC affinity the type the name suggests, since such columns
 * mostly hold text (JSON, DATETIME) rather than numbers. Values of another storage class
 * still round-trip through the row's companion column.
 */
export function fieldTypeFor(declaredType: string): FieldType {
  const t = declaredType.toUpperCase();
  switch (affinityOf(declaredType)) {
    case "INTEGER":
      return "long";
    case "TEXT":
      return "string";
    case "BLOB":
      return t === "" ? "string" : "binary";
    case "REAL":
      return "double";
    case "NUMERIC":
      if (t.includes("BOOL")) return "long";
      return t.includes("DEC") || t.includes("NUM") || t.includes("MONEY") ? "double" : "string";
  }
}

export type Affinity = "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC";

/** SQLite's column affinity for a declared type (https://sqlite.org/datatype3.html §3.1). */
export function affinityOf(declaredType: string): Affinity {
  const t = declaredType.toUpperCase();
  if (t.includes("INT")) return "INTEGER";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
  if (t.includes("BLOB") || t === "") return "BLOB";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
  return "NUMERIC";
}
