import { parquetMetadata, parquetRead, type FileMetaData } from "hyparquet";
import { CorruptFileError } from "./errors";
import { parquetTypeMatches } from "./parquet-schema";
import type { Schema } from "./schema";
import type { IcebergValue, Row } from "./values";

/**
 * Decodes a Parquet data file into rows keyed by the field names of `schema`. Columns are
 * matched by Parquet field id, so renamed columns still read; a field the file lacks (added
 * later) reads as null. `path` only names the file in errors. Rows have no prototype, so a
 * column may be called `__proto__`.
 */
export async function readDataFile(bytes: Uint8Array, schema: Schema, path: string): Promise<Row[]> {
  const metadata = decodeMetadata(bytes, path);
  const byId = new Map(metadata.schema.slice(1).map((element) => [element.field_id, element]));
  const present = schema.fields.flatMap((field) => {
    const element = byId.get(field.id);
    if (element === undefined) {
      if (field.required) throw new CorruptFileError(path, `required column "${field.name}" (field id ${field.id}) is missing`);
      return [];
    }
    if (!parquetTypeMatches(field.type, element)) {
      throw new CorruptFileError(path, `column "${element.name}" (field id ${field.id}) is not of type ${field.type}`);
    }
    return [{ field, column: element.name }];
  });
  // A file with none of the schema's columns still has rows: all null.
  if (present.length === 0) return Array.from({ length: Number(metadata.num_rows) }, () => nullRow(schema));
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
  let records: unknown[][] = [];
  try {
    await parquetRead({
      file: buffer,
      metadata,
      columns: present.map((p) => p.column),
      utf8: false,
      rowFormat: "array",
      onComplete: (rows) => {
        records = rows;
      },
    });
  } catch (error) {
    throw new CorruptFileError(path, `cannot decode Parquet data: ${(error as Error).message}`, { cause: error });
  }
  if (records.length !== Number(metadata.num_rows)) {
    throw new CorruptFileError(path, `footer says ${metadata.num_rows} rows but ${records.length} decoded`);
  }
  return records.map((record) => {
    const row = nullRow(schema);
    present.forEach(({ field }, i) => {
      row[field.name] = (record[i] ?? null) as IcebergValue;
    });
    return row;
  });
}

function nullRow(schema: Schema): Row {
  const row: Row = Object.create(null);
  for (const field of schema.fields) row[field.name] = null;
  return row;
}

function decodeMetadata(bytes: Uint8Array, path: string): FileMetaData {
  try {
    return parquetMetadata(bytes);
  } catch (error) {
    throw new CorruptFileError(path, `not a readable Parquet file: ${(error as Error).message}`, { cause: error });
  }
}
