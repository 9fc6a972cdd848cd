import type { WrittenDataFile } from "./data-file-write";
import type { ColumnStats } from "./stats";

/** A data file as a manifest records it (Avro record `data_file`, content 0 = data). */
export interface DataFile {
  /** Fully qualified location of the Parquet file. */
  readonly filePath: string;
  readonly fileFormat: "PARQUET";
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  /** Metrics by field id. */
  readonly columnStats: ReadonlyMap<number, ColumnStats>;
}

/** The manifest record for a file produced by `writeDataFile` and stored at `filePath`. */
export function dataFileOf(filePath: string, written: WrittenDataFile): DataFile {
  return {
    filePath,
    fileFormat: "PARQUET",
    recordCount: written.recordCount,
    fileSizeInBytes: written.bytes.length,
    columnStats: written.columnStats,
  };
}
