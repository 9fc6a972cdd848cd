import { parquetMetadata } from "hyparquet";
import { ByteWriter, parquetWrite } from "hyparquet-writer";
import { schemaToJson, type Schema } from "./schema";
import { parquetSchema } from "./parquet-schema";
import { columnStats, type ColumnStats } from "./stats";
import { checkValue, type IcebergValue, type Row } from "./values";

export interface WrittenDataFile {
  readonly bytes: Uint8Array;
  readonly recordCount: number;
  /** Metrics by Iceberg field id, ready for the manifest's `data_file`. */
  readonly columnStats: ReadonlyMap<number, ColumnStats>;
}

/** Rows per Parquet row group: large groups compress better and restore reads whole files. */
const ROW_GROUP_SIZE = 100_000;

/**
 * Encodes `rows` (keyed by field name; a missing key is null) as a Parquet data file whose
 * columns carry the Iceberg field ids, plus the `iceberg.schema` footer entry Java writers add.
 */
export function writeDataFile(schema: Schema, rows: readonly Row[]): WrittenDataFile {
  const columns = schema.fields.map((field) => {
    const data: (IcebergValue | undefined)[] = new Array(rows.length);
    rows.forEach((row, i) => {
      const value = Object.hasOwn(row, field.name) ? row[field.name] : undefined;
      checkValue(field, value, i);
      data[i] = value ?? null;
    });
    return data;
  });
  const elements = parquetSchema(schema);
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: elements,
    columnData: elements.slice(1).map((element, i) => ({
      name: element.name,
      data: columns[i] as IcebergValue[],
      nullable: element.repetition_type !== "REQUIRED",
    })),
    rowGroupSize: ROW_GROUP_SIZE,
    kvMetadata: [{ key: "iceberg.schema", value: JSON.stringify(schemaToJson(schema)) }],
    createdBy: "dotdo",
  });
  const bytes = new Uint8Array(writer.getBuffer());
  const sizes = columnSizes(bytes);
  const stats = new Map<number, ColumnStats>();
  schema.fields.forEach((field, i) => {
    const size = sizes[i];
    const base = columnStats(field, columns[i] as IcebergValue[]);
    stats.set(field.id, size === undefined ? base : { ...base, columnSize: size });
  });
  return { bytes, recordCount: rows.length, columnStats: stats };
}

/** Compressed bytes per top-level column, summed over row groups. */
function columnSizes(bytes: Uint8Array): number[] {
  const sizes: number[] = [];
  for (const group of parquetMetadata(bytes).row_groups) {
    group.columns.forEach((chunk, i) => {
      sizes[i] = (sizes[i] ?? 0) + Number(chunk.meta_data?.total_compressed_size ?? 0n);
    });
  }
  return sizes;
}
