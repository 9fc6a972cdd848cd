import { DotdoError, errorWithCode } from "../errors";

const PRIMARY_CODES = [
  "SQLITE_OK", "SQLITE_ERROR", "SQLITE_INTERNAL", "SQLITE_PERM", "SQLITE_ABORT", "SQLITE_BUSY",
  "SQLITE_LOCKED", "SQLITE_NOMEM", "SQLITE_READONLY", "SQLITE_INTERRUPT", "SQLITE_IOERR",
  "SQLITE_CORRUPT", "SQLITE_NOTFOUND", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL",
  "SQLITE_EMPTY", "SQLITE_SCHEMA", "SQLITE_TOOBIG", "SQLITE_CONSTRAINT", "SQLITE_MISMATCH",
  "SQLITE_MISUSE", "SQLITE_NOLFS", "SQLITE_AUTH", "SQLITE_FORMAT", "SQLITE_RANGE", "SQLITE_NOTADB",
] as const;

/** SQLite's name for a primary result code, e.g. 19 → `SQLITE_CONSTRAINT`. */
export function sqliteCodeName(resultCode: number): string {
  return PRIMARY_CODES[resultCode & 0xff] ?? `SQLITE_UNKNOWN(${resultCode})`;
}

/**
 * An error SQLite reported. The message has workerd's shape,
 * `<sqlite message>: SQLITE_CODE (extended: SQLITE_CODE_DETAIL)`, and `name` stays
 * `Error` because that is what workerd throws; `code` carries the primary SQLite code.
 */
export class SqliteError extends DotdoError {
  override name = "Error";
  readonly extendedCode: string | undefined;

  constructor(sqliteMessage: string, code: string, extendedCode?: string) {
    super(code, `${sqliteMessage}: ${code}${extendedCode ? ` (extended: ${extendedCode})` : ""}`);
    this.extendedCode = extendedCode;
  }
}

/** Errors the storage API raises itself, with workerd's wording; `name` is `Error` for parity. */
export class SqlStorageError extends DotdoError {
  override name = "Error";
}

/** The database was used after `close()`. */
export class DatabaseClosedError extends DotdoError {
  constructor() {
    super("DATABASE_CLOSED", "The database is closed");
  }
}

/** The sql.js build does not look like the one this adapter was written for. */
export class UnsupportedEngineError extends errorWithCode("UNSUPPORTED_ENGINE") {}

/**
 * A statement of user SQL went past a limit workerd enforces by resetting the object (its CPU
 * time, its isolate's memory); the shim resets the object too.
 */
export class SqlResourceLimitError extends DotdoError {
  // workerd's limit errors are plain Errors, and cross to callers as such.
  override name = "Error";
}

/** A statement of user SQL ran past the CPU limit (wrangler's `limits.cpu_ms`) and SQLite interrupted it. */
export class SqlTimeLimitError extends SqlResourceLimitError {
  constructor(readonly limitMs: number) {
    super(
      "SQL_TIME_LIMIT",
      `SQL statement ran past the CPU time limit of ${limitMs} ms (limits.cpu_ms in the wrangler config) and was interrupted; the Durable Object was reset`,
    );
  }
}

/**
 * A statement's rows came to more than an isolate's memory: the shim reads every row at
 * `exec` (workerd steps lazily, and its isolate would run out of memory holding them all).
 */
export class SqlResultTooLargeError extends SqlResourceLimitError {
  constructor(readonly limitBytes: number) {
    super(
      "SQL_RESULT_TOO_LARGE",
      `SQL statement's rows came to more than ${limitBytes / 2 ** 20} MiB, a Durable Object's memory limit, so it was stopped; the Durable Object was reset`,
    );
  }
}
