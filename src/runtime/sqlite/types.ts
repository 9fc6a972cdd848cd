/** A value as SQLite hands it back to JavaScript (BLOBs as ArrayBuffer, like workerd). */
export type SqlValue = number | string | ArrayBuffer | null;

/** A value ready to bind: numbers always bind as REAL, like workerd. */
export type SqlParam = number | string | Uint8Array | null;

/** The outcome of the last statement of one `execute` call. */
export interface StatementResult {
  readonly columnNames: string[];
  readonly rows: SqlValue[][];
  readonly rowsRead: number;
  readonly rowsWritten: number;
  /** The statement was prepared by an earlier call with the same text (workerd's statement cache). */
  readonly cached?: boolean;
  /**
   * What SQLite raised while stepping past `rows` (workerd steps lazily, so its cursor
   * throws this where the next row would have been read, not `exec`).
   */
  readonly error?: unknown;
}

/** What changed since the tracker was last taken: the persistence layer checkpoints these. */
export interface ChangeSet {
  /** Tables whose rows changed (from SQLite's update hook and from the KV layer). */
  readonly tables: ReadonlySet<string>;
  /**
   * For tables in `tables` whose changed rows are known: the rowids inserted, updated or
   * deleted. A changed table missing here changed in ways not tracked by rowid (the KV and
   * alarm tables, or more rows than are tracked): read it whole.
   */
  readonly rowids: ReadonlyMap<string, ReadonlySet<bigint>>;
  /**
   * Rows changed that no hook could attribute to a table (WITHOUT ROWID tables, the
   * DELETE-without-WHERE truncate optimisation): treat every table as changed.
   */
  readonly unattributed: boolean;
  /** CREATE/DROP/ALTER happened. */
  readonly schemaChanged: boolean;
  /** Rows written in this span. */
  readonly writes: number;
}

/**
 * What user SQL may do, asked before SQLite acts on each statement (workerd's authorizer).
 * SQLite carries out a PRAGMA while preparing it; everything else only when it runs.
 */
export interface StatementPolicy {
  /** Before preparing: `code` starts with the next statement (later ones may follow). */
  beforePrepare(code: string): void;
  /**
   * What workerd's authorizer refuses while SQLite prepares the statement, given its own
   * text; asked with the rest of the SQL when preparing fails (the refusal comes first).
   */
  prepared(statement: string): void;
  /** After preparing, before the first step. */
  beforeRun(statement: string): void;
}

/** One SQLite database. Synchronous, like workerd's storage.sql. */
export interface SqliteDatabase {
  /**
   * Runs every statement in `sql`, in order; `params` bind to the last statement.
   * `policy` sees each statement before SQLite acts on it and may throw to refuse it; with a
   * policy (user SQL), SQLite's limits are workerd's for the call (see `ConnectionLimits`).
   * `undefined` when `sql` holds no statement at all, or when what follows the last
   * statement is more than spaces and newlines (workerd reads it as one more statement, and
   * finds none); the statements before it have run.
   */
  execute(sql: string, params: readonly SqlParam[], policy?: StatementPolicy): StatementResult | undefined;
  /** One statement, prepared once and cached: for the runtime's own queries. */
  query(sql: string, params?: readonly SqlParam[]): SqlValue[][];
  /** Records writes the update hook cannot see (the runtime's WITHOUT ROWID tables). */
  noteWrite(table: string, rows: number): void;
  /** Total rows written since the database was opened; never goes down. */
  readonly writeCount: number;
  /** Changes since the last `takeChanges()` (or open), then starts a new span. */
  takeChanges(): ChangeSet;
  /** Bytes in use: pages in use (not on the freelist) times page size. */
  readonly size: number;
  /**
   * Writes are coalesced like workerd's: statements run in an implicit transaction that
   * commits after the current task. This commits it now. A commit that fails (a deferred
   * foreign key violated) rolls the transaction back and throws, here or, when it failed
   * after a task, at the next `commit()`.
   */
  commit(): void;
  /** Discards the writes not committed yet (workerd drops them when an object is reset). */
  rollback(): void;
  /**
   * Opens a savepoint (nested transactions); returns its name. While any is open, commits
   * wait, so an asynchronous transaction is never cut in two.
   */
  savepoint(): string;
  /** Keeps the savepoint's writes (`commit: true`) or undoes them, and closes it. */
  endSavepoint(name: string, commit: boolean): void;
  /** A savepoint is open (a `transaction()` may still roll back what it wrote). */
  readonly inTransaction: boolean;
  /** The whole database as a SQLite file image (commits first). */
  export(): Uint8Array;
  /**
   * Like `export()`, but leaves the connection and its prepared statements alone (commits
   * first); null while a savepoint is open, as its writes may still roll back.
   */
  image(): Uint8Array | null;
  /**
   * Opens a SQLite file image beside the database without touching it (bytes that are not a
   * database throw here). `use()` then replaces the whole database with it (commits first; no
   * savepoint may be open); `discard()` lets it go.
   */
  stageImage(image: Uint8Array): StagedImage;
  close(): void;
}

/** A SQLite file image opened and checked, not yet in use (see `SqliteDatabase.stageImage`). */
export interface StagedImage {
  use(): void;
  discard(): void;
}

/** Opens databases; one per process, sharing one compiled SQLite. */
export interface SqliteEngine {
  /** A new database, empty or from a SQLite file image. */
  open(image?: Uint8Array): SqliteDatabase;
}
