import { DotdoError } from "../errors";

/** This writer may not commit: another holds the lease, or this one's lease ran out. */
export class FencedError extends DotdoError {
  constructor(
    code: "FENCED" | "LEASE_HELD",
    message: string,
    /** Who holds the lease now, when known. */
    readonly holder?: string,
    /** When the current lease runs out (ms since epoch), when known. */
    readonly expiresAt?: number,
    /** Where the holder answers forwarded calls, when its lease says. */
    readonly address?: string,
  ) {
    super(code, message);
  }
}

/**
 * Reported (not thrown) by a restore: log entries after a gap were left out. They are the tail
 * of a holder's pipelined appends, taken while the position before them was not yet stored, so
 * that holder never acknowledged them; if the gap is damage instead, these are the writes lost.
 */
export class UnacknowledgedLogTailError extends DotdoError {
  readonly positions: readonly number[];
  constructor(gap: number, positions: readonly number[]) {
    super(
      "LOG_TAIL_UNACKNOWLEDGED",
      `log positions ${positions.join(", ")} follow a gap at ${gap} and were never acknowledged (appends in flight when their holder stopped): not replayed`,
    );
    this.positions = positions;
  }
}

/** A snapshot file is missing or cannot be decoded. `key` names the file. */
export class CorruptSnapshotError extends DotdoError {
  constructor(
    readonly key: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super("CORRUPT_SNAPSHOT", `snapshot file ${key}: ${reason}`, options);
  }
}

/** No commit matches the requested sequence number or time. */
export class SnapshotNotFoundError extends DotdoError {
  constructor(message: string) {
    super("SNAPSHOT_NOT_FOUND", message);
  }
}

/** The database holds something a checkpoint cannot carry losslessly (e.g. virtual tables). */
export class UnsupportedSchemaError extends DotdoError {
  constructor(message: string) {
    super("UNSUPPORTED_SCHEMA", message);
  }
}

/** Restore was asked to load into a database that already holds tables. */
export class RestoreTargetNotEmptyError extends DotdoError {
  constructor() {
    super("RESTORE_TARGET_NOT_EMPTY", "restore needs an empty database: it never merges into existing state");
  }
}
