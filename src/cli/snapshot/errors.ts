import { DotdoError, errorWithCode } from "../../runtime/errors";

/** A `dotdo snapshot` argument is missing, malformed or contradicts another. */
export class SnapshotArgumentError extends errorWithCode("SNAPSHOT_ARGUMENT_INVALID") {}

/** The store holds nothing under `do/{id}/`. */
export class UnknownObjectError extends DotdoError {
  constructor(
    readonly id: string,
    storeUrl: string,
    hint = "",
  ) {
    super("UNKNOWN_OBJECT", `no object ${id} in ${storeUrl} (nothing under do/${id}/)${hint}`);
  }
}

/** The object has files but no committed checkpoint. */
export class NoSnapshotsError extends DotdoError {
  constructor(readonly id: string, storeUrl: string) {
    super("NO_SNAPSHOTS", `object ${id} in ${storeUrl} has no committed checkpoint`);
  }
}

/**
 * A failure while working on one object, with the object's location in front of the cause's
 * message (a damaged file's key is relative to the object) and the cause's `code` kept.
 */
export class ObjectStateError extends DotdoError {
  constructor(
    readonly objectUrl: string,
    override readonly cause: DotdoError,
  ) {
    super(cause.code, `${objectUrl}: ${cause.message}`, { cause });
  }
}

/** Another process holds the object's lease (a running server has it open). */
export class ObjectBusyError extends DotdoError {
  constructor(
    message: string,
    readonly holder: string | undefined,
    readonly expiresAt: number | undefined,
  ) {
    super("LEASE_HELD", message);
  }
}

/** An archive is not a (complete, valid) gzipped tar, or holds an entry import cannot take. */
export class ArchiveError extends DotdoError {
  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super("ARCHIVE_INVALID", `${file}: ${reason}`, options);
  }
}

/** Import would overwrite keys that already exist in the store. */
export class ImportConflictError extends DotdoError {
  constructor(
    readonly keys: string[],
    storeUrl: string,
  ) {
    super("IMPORT_CONFLICT", `${keys.length} key(s) already exist in ${storeUrl}, import never overwrites: ${summarize(keys)}`);
  }
}

/** Conflicting keys by object: one key is named as is, more as the object's folder and a count. */
function summarize(keys: string[]): string {
  const byObject = new Map<string, string[]>();
  for (const key of keys) {
    const folder = /^do\/[^/]+\//.exec(key)?.[0] ?? key;
    byObject.set(folder, [...(byObject.get(folder) ?? []), key]);
  }
  const parts = [...byObject].map(([folder, inFolder]) => (inFolder.length === 1 ? inFolder[0]! : `${folder} (${inFolder.length} keys)`));
  return parts.slice(0, 5).join(", ") + (parts.length > 5 ? ` and ${parts.length - 5} more objects` : "");
}

/** The export's output file exists; it is never replaced. */
export class OutputExistsError extends DotdoError {
  constructor(readonly path: string) {
    super("OUTPUT_EXISTS", `${path} exists; remove it or choose another --output`);
  }
}

/** The store holds no object at all (nothing under `do/`): likely the wrong store. */
export class NoObjectsError extends DotdoError {
  constructor(storeUrl: string) {
    super("NO_OBJECTS", `no objects in ${storeUrl} (nothing under do/)`);
  }
}
