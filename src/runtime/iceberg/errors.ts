import { DotdoError } from "../errors";

/** A stored file (data file, manifest, manifest list, table metadata) cannot be decoded. */
export class CorruptFileError extends DotdoError {
  /** The path or location the caller gave for the damaged file. */
  readonly path: string;

  constructor(path: string, reason: string, options?: ErrorOptions) {
    super("CORRUPT_SNAPSHOT_FILE", `corrupt snapshot file ${path}: ${reason}`, options);
    this.path = path;
  }
}

/** The caller handed the format layer something it cannot write (wrong value type, bad schema). */
export class InvalidIcebergInputError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("INVALID_ICEBERG_INPUT", message, options);
  }
}
