import { DotdoError, errorWithCode } from "../errors";

/** A stored file (data file, manifest, manifest list, table metadata) cannot be decoded. */
export class CorruptFileError extends DotdoError {
  /** The path or location the caller gave for the damaged file. */
  readonly path: string;
  /** The damaged field, when one can be named (e.g. `snapshots[1].manifest-list`). */
  readonly field: string | undefined;

  constructor(path: string, reason: string, options?: ErrorOptions & { field?: string }) {
    const where = options?.field === undefined ? "" : ` (field ${options.field})`;
    super("CORRUPT_SNAPSHOT_FILE", `corrupt snapshot file ${path}${where}: ${reason}`, options);
    this.path = path;
    this.field = options?.field;
  }
}

/** The caller handed the format layer something it cannot write (wrong value type, bad schema). */
export class InvalidIcebergInputError extends errorWithCode("INVALID_ICEBERG_INPUT") {}

/** This runtime lacks what an Avro codec needs (Vercel Edge has no `CompressionStream`). */
export class CodecUnavailableError extends errorWithCode("AVRO_CODEC_UNAVAILABLE") {}
