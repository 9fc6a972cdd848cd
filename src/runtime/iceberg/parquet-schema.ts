import type { SchemaElement } from "hyparquet-writer";
import { InvalidIcebergInputError } from "./errors";
import { compatibleName } from "./names";
import type { PrimitiveType, Schema } from "./schema";

/** Parquet physical type (and annotation) for each Iceberg type, as Iceberg's spec maps them. */
const PARQUET_TYPES: Record<PrimitiveType, Pick<SchemaElement, "type" | "converted_type">> = {
  long: { type: "INT64" },
  double: { type: "DOUBLE" },
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  binary: { type: "BYTE_ARRAY" },
  boolean: { type: "BOOLEAN" },
};

/** The flat Parquet schema of a data file; every column carries its Iceberg field id. */
export function parquetSchema(schema: Schema): SchemaElement[] {
  const names = new Set<string>();
  const columns = schema.fields.map((field): SchemaElement => {
    const name = compatibleName(field.name);
    if (names.has(name)) {
      throw new InvalidIcebergInputError(`columns clash once made Parquet-compatible: "${name}"`);
    }
    names.add(name);
    return {
      name,
      ...PARQUET_TYPES[field.type],
      repetition_type: field.required ? "REQUIRED" : "OPTIONAL",
      field_id: field.id,
    };
  });
  return [{ name: "table", num_children: columns.length }, ...columns];
}

/** The parts of a Parquet schema element a reader checks (any hyparquet version's shape). */
interface ColumnType {
  type?: string;
  converted_type?: string;
  logical_type?: { type: string };
}

export function parquetTypeMatches(type: PrimitiveType, element: ColumnType): boolean {
  return element.type === PARQUET_TYPES[type].type && (type !== "string" || isUtf8(element));
}

function isUtf8(element: ColumnType): boolean {
  return element.converted_type === "UTF8" || element.logical_type?.type === "STRING";
}
