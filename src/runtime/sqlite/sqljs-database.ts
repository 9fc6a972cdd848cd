import type { Database, Statement } from "sql.js";
import { ChangeLog } from "./change-log";
import { SqliteError, SqlResultTooLargeError, SqlStorageError, sqliteCodeName, UnsupportedEngineError } from "./errors";
import { isPragma, isRowStatement, parameterOffsets, skipSpace, statementStart, utf8Length } from "./sql-text";
import { stageImage } from "./sqljs-image";
import { ConnectionLimits } from "./sqljs-limits";
import type { SqlJsModule } from "./sqljs-loader";
import { QueryClock } from "./sqljs-progress";
import type { ChangeSet, SqlParam, SqliteDatabase, SqlValue, StagedImage, StatementPolicy, StatementResult } from "./types";

/** workerd's SQLITE_LIMIT_SQL_LENGTH, counted over the text still to run. */
const MAX_SQL_BYTES = 100_000;
/** workerd's SQLITE_LIMIT_LENGTH for one string or BLOB. */
export const MAX_VALUE_BYTES = 2_200_000;
/** workerd's SQLITE_LIMIT_VARIABLE_NUMBER. */
const MAX_PARAMETERS = 100;
const SQLITE_RANGE = 25;
const SQLITE_INSERT = 18;
/** Cloudflare's default CPU time per request, which bounds a statement of user SQL there. */
const DEFAULT_TIME_LIMIT_MS = 30_000;
/**
 * A Durable Object's memory on Cloudflare (128 MB): the most the rows of one statement of user
 * SQL may take, since they are all read at `exec` (workerd steps lazily).
 */
const RESULT_LIMIT_BYTES = 128 * 2 ** 20;
/** How many statements stay prepared per database (runtime's and user's, each). */
const PREPARED_LIMIT = 100;

/** sql.js hides the C statement pointer under a minified name; found once per process. */
let pointerKey: string | undefined;
/**
 * sql.js registers JS callbacks by compiling a small wasm module, which workerd and Vercel
 * Edge forbid; there the update hook is unavailable (found once per process).
 */
let updateHookWorks: boolean | undefined;

/** One SQLite database on the shared sql.js module. */
export class SqlJsDatabase implements SqliteDatabase {
  readonly #sql: SqlJsModule;
  readonly #db: Database;
  /** The runtime's own statements by SQL text, least recently used first. */
  readonly #cache = new Map<string, Statement>();
  /** User statements by SQL text, least recently used first. */
  readonly #prepared = new Map<string, Statement>();
  #changes: Statement | undefined;
  /** Whether SQLite's update hook reports writes here (see `updateHookWorks`). */
  readonly #hooked: boolean;
  /** The hook's function-table slot, released on close. */
  readonly #hook: number | undefined;
  /** Rows the update hook reported as updated or deleted, ever (for `rowsRead`). */
  #hookReads = 0;
  readonly #log = new ChangeLog();
  #baseSchema: number;
  /**
   * The schema version as of the last statement that could change it: read again only then,
   * since reading it costs a hundred times what `total_changes()` does.
   */
  #schema: number;
  #schemaStale = false;
  #writeCount = 0;
  /** workerd-style write coalescing: an implicit transaction, committed after the current task. */
  #implicit: { begin: Statement; commit: Statement; rollback: Statement; open: boolean } | undefined;
  /** Open savepoints (names are reused by depth, so their statements stay prepared). */
  #savepoints = 0;
  #commitWhenClosed = false;
  /** A commit after the current task failed, with nobody to tell then: the next `commit()` throws it. */
  #failedCommit: { error: unknown } | undefined;
  readonly #limits: ConnectionLimits;
  readonly #clock: QueryClock;
  readonly #timeLimitMs: number;
  /** How many bytes of rows a statement may return: `RESULT_LIMIT_BYTES` while user SQL runs. */
  #resultLimit = Infinity;

  /** `timeLimitMs`: how long one statement of user SQL may run (see `QueryClock`). */
  constructor(sql: SqlJsModule, image?: Uint8Array, timeLimitMs = DEFAULT_TIME_LIMIT_MS) {
    this.#sql = sql;
    this.#timeLimitMs = timeLimitMs;
    this.#db = new sql.Database(image);
    // sql.js throws bare messages; keep SQLite's result code, which workerd reports.
    (this.#db as unknown as { handleError(rc: number): null }).handleError = (rc: number) => {
      if (rc === 0) return null;
      throw new SqliteError(this.#errmsg(), sqliteCodeName(rc));
    };
    this.#hook = this.#tryUpdateHook();
    this.#hooked = this.#hook !== undefined;
    try {
      // The rollback journal in memory instead of a MEMFS file: writes are several times faster.
      // Exclusive locking: no other connection ever opens this file, and holding the lock spares
      // SQLite its file-system checks at every transaction (5 times fewer CPU per transaction).
      this.#db.run("PRAGMA foreign_keys = ON; PRAGMA journal_mode = MEMORY; PRAGMA locking_mode = EXCLUSIVE");
      this.#baseSchema = this.#schema = this.#schemaVersion(); // reads the schema: a bad image fails here
      this.#limits = new ConnectionLimits(sql.memory, this.#handle, (statement) => this.#db.run(statement));
      this.#clock = new QueryClock(sql, this.#handle, this.#hook, (statement) => this.#db.run(statement));
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#implicit = {
      begin: this.#db.prepare("BEGIN"),
      commit: this.#db.prepare("COMMIT"),
      rollback: this.#db.prepare("ROLLBACK"),
      open: false,
    };
    this.#log.begin(this.#totalChanges(), this.#baseSchema);
  }

  execute(sql: string, params: readonly SqlParam[], policy?: StatementPolicy): StatementResult | undefined {
    if (!policy) return this.#execute(sql, params);
    this.#resultLimit = RESULT_LIMIT_BYTES;
    try {
      return this.#limits.restricted(() => this.#clock.within(this.#timeLimitMs, () => this.#execute(sql, params, policy)));
    } finally {
      this.#resultLimit = Infinity;
    }
  }

  #execute(sql: string, params: readonly SqlParam[], policy?: StatementPolicy): StatementResult | undefined {
    const cached = this.#prepared.get(sql);
    if (cached) return this.#runCached(sql, cached, params, policy);
    if (utf8Length(sql) > MAX_SQL_BYTES) throw new SqliteError("statement too long", "SQLITE_TOOBIG");
    let statements = this.#db.iterateStatements(sql);
    // The text as workerd prepares it next: the whole SQL, then what follows each statement
    // less the whitespace it skips. Error offsets count from its start.
    let code = sql;
    let first = true;
    try {
      for (;;) {
        policy?.beforePrepare(code);
        let next: IteratorResult<Statement>;
        try {
          next = statements.next();
        } catch (error) {
          // workerd's authorizer runs while preparing: its refusal wins over a prepare error.
          policy?.prepared(code);
          throw this.#withOffset(error, code);
        }
        // What followed the last statement was not whitespace, so workerd wanted one more.
        if (next.done) return undefined;
        const statement = next.value;
        const tail = statements.getRemainingSQL();
        code = skipSpace(tail);
        const last = code === "";
        let result: StatementResult;
        try {
          const text = statement.getSQL();
          policy?.prepared(text);
          policy?.beforeRun(text);
          result = this.#run(statement, text, last ? params : [], last);
        } catch (error) {
          throw this.#detailed(error);
        } finally {
          statement.free();
        }
        if (last) {
          // A lone statement is prepared again and kept for the next exec of the same text
          // (the iterator owns the one it handed out). Not a PRAGMA: SQLite carries one out
          // while preparing it, so running it again prepared would do nothing.
          if (first && !isPragma(sql)) this.#remember(sql);
          return result;
        }
        first = false;
        // SQLite's tokenizer refuses a vertical tab that workerd skipped: go on from `code`.
        if (tail.slice(0, tail.length - code.length).includes("\v")) {
          (statements as unknown as { return(): void }).return();
          statements = this.#db.iterateStatements(code);
        }
      }
    } finally {
      // Stopping early leaves sql.js's copy of the SQL text allocated; release it.
      (statements as unknown as { return(): void }).return();
    }
  }

  #runCached(sql: string, statement: Statement, params: readonly SqlParam[], policy?: StatementPolicy): StatementResult {
    this.#prepared.delete(sql);
    this.#prepared.set(sql, statement);
    try {
      // A lone statement: its text is the whole of `sql`.
      policy?.prepared(sql);
      policy?.beforeRun(sql);
      return { ...this.#run(statement, sql, params, true), cached: true };
    } catch (error) {
      throw this.#detailed(error);
    } finally {
      statement.reset();
    }
  }

  #remember(sql: string): void {
    let statement: Statement;
    try {
      statement = this.#db.prepare(sql);
    } catch {
      return; // e.g. a DROP TABLE whose table is now gone: nothing to keep
    }
    evictOldest(this.#prepared, PREPARED_LIMIT);
    this.#prepared.set(sql, statement);
  }

  query(sql: string, params: readonly SqlParam[] = []): SqlValue[][] {
    let statement = this.#cache.get(sql);
    if (statement) {
      this.#cache.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      evictOldest(this.#cache, PREPARED_LIMIT);
    }
    this.#cache.set(sql, statement);
    try {
      const result = this.#run(statement, sql, params, true);
      if (result.error !== undefined) throw result.error;
      return result.rows;
    } catch (error) {
      throw this.#detailed(error);
    } finally {
      statement.reset();
    }
  }

  noteWrite(table: string, rows: number): void {
    this.#log.note(table, rows);
  }

  get writeCount(): number {
    const current = this.#totalChanges() + (this.#currentSchema() - this.#baseSchema);
    // A rolled-back DDL lowers schema_version; the count must never go down.
    this.#writeCount = Math.max(this.#writeCount, current);
    return this.#writeCount;
  }

  takeChanges(): ChangeSet {
    return this.#log.take(this.#totalChanges(), this.#schemaVersion());
  }

  get size(): number {
    // Free pages do not count, as in workerd.
    const [[pages, pageSize] = []] = this.query(
      "SELECT page_count - freelist_count, page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
    );
    // A database SQLite has not written yet still has its header page (workerd reports > 0).
    return Math.max(Number(pages), 1) * Number(pageSize);
  }

  /** sql.js (1.16 on) exports through SQLite's online backup: the connection and its statements stay open. */
  export(): Uint8Array {
    this.commit();
    return this.#db.export();
  }

  image(): Uint8Array | null {
    if (this.#savepoints > 0) return null;
    return this.export();
  }

  stageImage(image: Uint8Array): StagedImage {
    const staged = stageImage(this.#sql, () => this.#handle, image);
    return {
      use: () => {
        if (this.#savepoints > 0) {
          staged.discard();
          throw new SqlStorageError("SQLITE_ERROR", "cannot replace the database inside a transaction");
        }
        const before = this.#currentSchema();
        // After the read above: any statement run here opens the implicit transaction again.
        this.commit();
        staged.use();
        // writeCount never goes down, whatever schema version the image carries.
        this.#schemaStale = true;
        this.#baseSchema += this.#currentSchema() - before;
      },
      discard: () => staged.discard(),
    };
  }

  /** Commits the implicit transaction now (it otherwise commits after the current task). */
  commit(): void {
    const failed = this.#failedCommit;
    this.#failedCommit = undefined;
    if (failed) throw failed.error;
    if (this.#savepoints > 0) this.#commitWhenClosed = true;
    else this.#endImplicit("commit");
  }

  get inTransaction(): boolean {
    return this.#savepoints > 0;
  }

  savepoint(): string {
    const name = `_cf_savepoint_${this.#savepoints}`;
    this.query(`SAVEPOINT ${name}`);
    this.#savepoints++;
    return name;
  }

  endSavepoint(name: string, commit: boolean): void {
    this.#savepoints--;
    if (!commit) this.query(`ROLLBACK TO ${name}`);
    this.query(`RELEASE ${name}`);
    if (this.#savepoints === 0 && this.#commitWhenClosed) {
      this.#commitWhenClosed = false;
      this.#endImplicit("commit");
    }
  }

  rollback(): void {
    this.#savepoints = 0;
    this.#commitWhenClosed = false;
    this.#endImplicit("rollback");
  }

  #endImplicit(end: "commit" | "rollback"): void {
    const implicit = this.#implicit;
    if (!implicit?.open) return;
    implicit.open = false;
    const statement = implicit[end];
    try {
      statement.step();
    } catch (error) {
      // SQLite may already have rolled the transaction back (e.g. after SQLITE_FULL).
      if (error instanceof SqliteError && /no transaction is active/.test(error.message)) return;
      // A COMMIT that fails (a deferred foreign key violated) leaves the transaction open.
      if (end === "commit") this.#stepIgnoringErrors(implicit.rollback);
      throw this.#detailed(error);
    } finally {
      statement.reset();
    }
  }

  #stepIgnoringErrors(statement: Statement): void {
    try {
      statement.step();
    } catch {
      // already rolled back
    } finally {
      statement.reset();
    }
  }

  close(): void {
    this.commit();
    const implicit = this.#implicit;
    this.#implicit = undefined;
    for (const statement of [...this.#cache.values(), ...this.#prepared.values()]) statement.free();
    implicit?.begin.free();
    implicit?.commit.free();
    implicit?.rollback.free();
    this.#changes?.free();
    if (this.#hook !== undefined) {
      this.#sql._sqlite3_update_hook(this.#handle, 0, 0);
      this.#sql.removeFunction(this.#hook);
    }
    this.#cache.clear();
    this.#prepared.clear();
    this.#db.close();
  }

  /** `text`: the statement's SQL (read from sql.js only once per statement). */
  #run(statement: Statement, text: string, params: readonly SqlParam[], last: boolean): StatementResult {
    this.#bind(statement, params, last);
    // workerd opens its implicit transaction for writes; a pragma outside one takes effect
    // (SQLite ignores `PRAGMA foreign_keys` inside a transaction).
    if (!isPragma(text)) this.#beginImplicit();
    const writesBefore = this.#hooked ? this.#log.hookRows : this.#totalChanges();
    const readsBefore = this.#hookReads;
    const rows: SqlValue[][] = [];
    let error: unknown;
    let bytes = 0;
    try {
      // workerd steps a statement before the last once only (its rows are discarded), and the
      // last one lazily: an error past its first row is the cursor's to throw, not exec's.
      if (!last) statement.step();
      else {
        while (bytes <= this.#resultLimit && statement.step()) {
          const row = statement.get().map(checkedValue);
          bytes += rowBytes(row);
          rows.push(row);
        }
      }
    } catch (stepError) {
      if (rows.length === 0) throw stepError;
      error = this.#detailed(stepError);
    }
    if (bytes > this.#resultLimit) throw new SqlResultTooLargeError(this.#resultLimit);
    const rowsWritten = (this.#hooked ? this.#log.hookRows : this.#totalChanges()) - writesBefore;
    if (!isRowStatement(text)) this.#schemaStale = true;
    // An approximation of workerd's count (SQLite's rows read, which sql.js cannot report):
    // rows returned plus rows updated or deleted; RETURNING reads everything twice there.
    const rowsRead = rows.length + (this.#hookReads - readsBefore);
    return {
      columnNames: statement.getColumnNames(),
      rows,
      rowsRead: rowsWritten > 0 && rows.length > 0 ? rowsRead * 2 : rowsRead,
      rowsWritten,
      ...(error === undefined ? {} : { error }),
    };
  }

  #bind(statement: Statement, params: readonly SqlParam[], last: boolean): void {
    const pointer = this.#pointer(statement);
    const probe = (index: number) => this.#sql._sqlite3_bind_blob(pointer, index, 0, 0, 0) !== SQLITE_RANGE;
    const takesMore = probe(params.length + 1);
    if (!last && (params.length > 0 || takesMore)) {
      throw new SqlStorageError(
        "SQL_PARAMS",
        "When executing multiple SQL statements in a single call, only the last statement can have parameters.",
      );
    }
    if (takesMore || (params.length > 0 && !probe(params.length))) {
      throw new SqlStorageError("SQL_PARAMS", "Wrong number of parameter bindings for SQL query.");
    }
    if (params.length === 0) return;
    // sql.js binds whole numbers as INTEGER; workerd binds every JS number as REAL.
    statement.bind(params.map((param) => (typeof param === "number" ? null : param)));
    params.forEach((param, index) => {
      if (typeof param === "number") this.#sql._sqlite3_bind_double(pointer, index + 1, param);
    });
  }

  /**
   * Registers SQLite's update hook directly: sql.js's own wrapper throws (inside SQLite) for
   * rowids beyond 2^53, which workerd accepts. Our callback never looks at the rowid.
   */
  #tryUpdateHook(): number | undefined {
    if (updateHookWorks === false) return undefined;
    try {
      const pointer = this.#sql.addFunction((_context: number, operation: number, _database: number, table: number, rowid: bigint) => {
        if (operation !== SQLITE_INSERT) this.#hookReads++;
        this.#log.row(this.#sql.UTF8ToString(table), rowid);
      }, "viiiij");
      this.#sql._sqlite3_update_hook(this.#handle, pointer, 0);
      updateHookWorks = true;
      return pointer;
    } catch {
      // Without the hook, every write counts as unattributed (all tables changed) and
      // rowsWritten comes from SQLite's change counter.
      updateHookWorks = false;
      return undefined;
    }
  }

  /** The C `sqlite3*` (sql.js keeps it as `db`, a name its minified build preserves). */
  get #handle(): number {
    return (this.#db as unknown as { db: number }).db;
  }

  #beginImplicit(): void {
    const implicit = this.#implicit;
    if (!implicit || implicit.open) return;
    implicit.begin.step();
    implicit.begin.reset();
    implicit.open = true;
    setTimeout(() => {
      if (this.#implicit !== implicit) return;
      try {
        this.commit();
      } catch (error) {
        this.#failedCommit ??= { error };
      }
    }, 0);
  }

  #pointer(statement: Statement): number {
    const fields = statement as unknown as Record<string, unknown>;
    if (pointerKey === undefined) {
      const text = statement.getSQL();
      pointerKey = Object.keys(fields).find((key) => {
        const value = fields[key];
        return typeof value === "number" && value > 4096 && this.#sql.UTF8ToString(this.#sql._sqlite3_sql(value)) === text;
      });
      if (pointerKey === undefined) throw new UnsupportedEngineError("sql.js statement layout not recognised: cannot bind numbers as REAL");
    }
    return fields[pointerKey] as number;
  }

  #errmsg(): string {
    return this.#sql.UTF8ToString(this.#sql._sqlite3_errmsg(this.#handle));
  }

  /**
   * workerd adds SQLite's error offset for errors that point at a token, counted from the
   * start of `code`, the text it prepared (comments before the statement included).
   */
  #withOffset(error: unknown, code: string): unknown {
    if (!(error instanceof SqliteError)) return error;
    const message = error.message.slice(0, -(error.code.length + 2));
    // SQLite's limit on bound parameters (workerd's, while user SQL runs) points at the first one too many.
    if (message === "too many SQL variables") {
      const at = parameterOffsets(code)[MAX_PARAMETERS];
      return at === undefined ? error : new SqliteError(`${message} at offset ${at}`, error.code);
    }
    const token =
      /^near "(.*)": syntax error$/s.exec(message)?.[1] ?? /^no such (?:column|function): (.*)$/s.exec(message)?.[1];
    if (token === undefined) return error;
    // Searched from the first token, so that a comment mentioning it is passed over.
    const at = code.indexOf(token, statementStart(code));
    if (at === -1) return error;
    return new SqliteError(`${message} at offset ${at}`, error.code);
  }

  /** Constraint failures carry workerd's extended code, which sql.js does not report. */
  #detailed(error: unknown): unknown {
    if (!(error instanceof SqliteError) || error.code !== "SQLITE_CONSTRAINT" || error.extendedCode) return error;
    const message = error.message.slice(0, -(error.code.length + 2));
    const extended = this.#constraintKind(message);
    return extended ? new SqliteError(message, error.code, extended) : error;
  }

  #constraintKind(message: string): string | undefined {
    if (message.startsWith("NOT NULL")) return "SQLITE_CONSTRAINT_NOTNULL";
    if (message.startsWith("CHECK")) return "SQLITE_CONSTRAINT_CHECK";
    if (message.startsWith("FOREIGN KEY")) return "SQLITE_CONSTRAINT_FOREIGNKEY";
    if (message.startsWith("cannot store")) return "SQLITE_CONSTRAINT_DATATYPE";
    const unique = /^UNIQUE constraint failed: (.*)$/.exec(message);
    if (!unique?.[1]) return undefined;
    const columns = unique[1].split(", ").map((qualified) => qualified.slice(qualified.indexOf(".") + 1));
    const table = unique[1].slice(0, unique[1].indexOf("."));
    return this.#isUniqueIndex(table, columns) ? "SQLITE_CONSTRAINT_UNIQUE" : "SQLITE_CONSTRAINT_PRIMARYKEY";
  }

  #isUniqueIndex(table: string, columns: string[]): boolean {
    const indexes = this.query("SELECT name, origin FROM pragma_index_list(?)", [table]);
    return indexes.some(([name, origin]) => {
      if (origin !== "u" && origin !== "c") return false;
      const indexed = this.query("SELECT name FROM pragma_index_info(?)", [name as string]).map(([column]) => column);
      return indexed.length === columns.length && indexed.every((column, i) => column === columns[i]);
    });
  }

  /** Stepped directly (not through `#run`, which may call this). */
  #totalChanges(): number {
    this.#changes ??= this.#db.prepare("SELECT total_changes()");
    try {
      this.#changes.step();
      return Number(this.#changes.get()[0]);
    } finally {
      this.#changes.reset();
    }
  }

  #currentSchema(): number {
    if (this.#schemaStale) {
      this.#schema = this.#schemaVersion();
      this.#schemaStale = false;
    }
    return this.#schema;
  }

  #schemaVersion(): number {
    return Number(this.query("PRAGMA schema_version")[0]?.[0] ?? 0);
  }
}

/** Converts a column value; values over workerd's length limit fail as they do there. */
function checkedValue(value: number | string | Uint8Array | null): SqlValue {
  if (typeof value === "string" && value.length > MAX_VALUE_BYTES / 3 && utf8Length(value) > MAX_VALUE_BYTES) throw tooBig();
  if (!(value instanceof Uint8Array)) return value;
  if (value.byteLength > MAX_VALUE_BYTES) throw tooBig();
  const exact = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
  return (exact ? value.buffer : value.slice().buffer) as ArrayBuffer;
}

/** About what a row takes in the JavaScript heap: strings as UTF-16, a slot per value. */
function rowBytes(row: readonly SqlValue[]): number {
  let bytes = 0;
  for (const value of row) {
    bytes += 8;
    if (typeof value === "string") bytes += value.length * 2;
    else if (value instanceof ArrayBuffer) bytes += value.byteLength;
  }
  return bytes;
}

/** Makes room for one more in an LRU map of prepared statements. */
function evictOldest(statements: Map<string, Statement>, limit: number): void {
  if (statements.size < limit) return;
  const [sql, statement] = statements.entries().next().value as [string, Statement];
  statements.delete(sql);
  statement.free();
}

function tooBig(): SqliteError {
  return new SqliteError("string or blob too big", "SQLITE_TOOBIG");
}
