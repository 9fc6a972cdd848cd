import { InvalidIcebergInputError } from "./errors";

/** The Iceberg primitive types dotdo writes: enough to hold every SQLite storage class. */
export type PrimitiveType = "long" | "double" | "string" | "binary" | "boolean";

export const PRIMITIVE_TYPES: readonly PrimitiveType[] = ["long", "double", "string", "binary", "boolean"];

export interface SchemaField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: PrimitiveType;
}

export interface Schema {
  readonly schemaId: number;
  readonly fields: readonly SchemaField[];
  /** Highest field id ever assigned in this table, including dropped fields. */
  readonly lastColumnId: number;
}

/** A column as the caller describes it; ids are assigned by {@link buildSchema}. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: PrimitiveType;
  readonly required?: boolean;
}

/** The JSON form of a schema inside table metadata and file headers. */
export interface SchemaJson {
  type: "struct";
  "schema-id": number;
  fields: { id: number; name: string; required: boolean; type: PrimitiveType }[];
}

/**
 * Builds a schema for `columns`, keeping the field id of every column that `previous` already
 * had under the same name, type and nullability (or that only became optional). Any other
 * column gets a fresh id above `previous.lastColumnId`, so ids are never reused: a column whose
 * type changed is, for Iceberg, a dropped column plus a new one.
 */
export function buildSchema(columns: readonly ColumnSpec[], previous?: Schema): Schema {
  const seen = new Set<string>();
  let lastColumnId = previous?.lastColumnId ?? 0;
  const fields = columns.map((column): SchemaField => {
    if (seen.has(column.name)) throw new InvalidIcebergInputError(`duplicate column name "${column.name}"`);
    seen.add(column.name);
    if (!PRIMITIVE_TYPES.includes(column.type)) {
      throw new InvalidIcebergInputError(`column "${column.name}" has unsupported type "${String(column.type)}"`);
    }
    const required = column.required ?? false;
    const old = previous?.fields.find((f) => f.name === column.name);
    const keep = old !== undefined && old.type === column.type && (old.required || !required);
    return { id: keep ? old.id : ++lastColumnId, name: column.name, required, type: column.type };
  });
  if (previous === undefined) return { schemaId: 0, fields, lastColumnId };
  const schemaId = sameFields(previous.fields, fields) ? previous.schemaId : previous.schemaId + 1;
  return { schemaId, fields, lastColumnId };
}

/**
 * Whether data files written under `previous` can stay in a snapshot whose current schema is
 * `next`: every required field of `next` must be present in those files.
 */
export function canReuseFiles(previous: Schema, next: Schema): boolean {
  return next.fields.every((f) => !f.required || previous.fields.some((p) => p.id === f.id));
}

export function sameFields(a: readonly SchemaField[], b: readonly SchemaField[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => {
      const g = b[i];
      return g !== undefined && f.id === g.id && f.name === g.name && f.type === g.type && f.required === g.required;
    })
  );
}

export function schemaToJson(schema: Schema): SchemaJson {
  return {
    type: "struct",
    "schema-id": schema.schemaId,
    fields: schema.fields.map((f) => ({ id: f.id, name: f.name, required: f.required, type: f.type })),
  };
}

/** Reads a schema back from its JSON form; `lastColumnId` comes from the table metadata. */
export function schemaFromJson(json: SchemaJson, lastColumnId: number): Schema {
  return {
    schemaId: json["schema-id"],
    fields: json.fields.map((f) => ({ id: f.id, name: f.name, required: f.required, type: f.type })),
    lastColumnId,
  };
}
