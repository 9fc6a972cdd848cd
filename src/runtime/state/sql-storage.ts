import { SqliteError, SqlResourceLimitError, SqlStorageError } from "../sqlite/errors";
import { MAX_VALUE_BYTES } from "../sqlite/sqljs-database";
import { firstStatement, tokenize, utf8Length } from "../sqlite/sql-text";
import type { SqliteDatabase, SqlParam, StatementPolicy } from "../sqlite/types";
import { checkPragmaBeforePrepare, checkPragmaFunctions } from "./pragma-policy";
import { Cursor } from "./sql-cursor";
import { checkUserStatement } from "./sql-policy";

const APPROVED_LIMIT = 500;

/** A value user code may bind; anything else is bound as its string form, like workerd. */
export type SqlBinding = string | number | null | undefined | ArrayBuffer | ArrayBufferView;

/** What `ingest()` ran, and the text after its last complete statement. */
export interface IngestResult {
  remainder: string;
  rowsRead: number;
  rowsWritten: number;
  statementCount: number;
}

/** `ctx.storage.sql`: workerd's SqlStorage on one SQLite database. */
export class SqlStorage {
  readonly #db: SqliteDatabase;
  readonly #tables: (name: string) => boolean;
  /** Statements that passed the policy on their text alone: not tokenized again. */
  readonly #approved = new Set<string>();
  readonly #policy: StatementPolicy = {
    beforePrepare: checkPragmaBeforePrepare,
    prepared: (statement) => {
      if (this.#approved.has(statement) || !checkUserStatement(statement, this.#tables)) return;
      if (this.#approved.size >= APPROVED_LIMIT) this.#approved.clear();
      this.#approved.add(statement);
    },
    beforeRun: checkPragmaFunctions,
  };

  readonly #reset: ((error: unknown) => void) | undefined;

  /** `reset`: resets the object, as workerd does when its code runs past its CPU time or memory. */
  constructor(db: SqliteDatabase, reset?: (error: unknown) => void) {
    this.#db = db;
    this.#reset = reset;
    this.#tables = (name) =>
      this.#db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).length > 0;
  }

  exec(query: string, ...bindings: unknown[]): Cursor {
    const params = bindings.map(toParam);
    let result;
    try {
      result = this.#db.execute(`${query}`, params, this.#policy);
    } catch (error) {
      if (error instanceof SqlResourceLimitError) this.#reset?.(error);
      throw error;
    }
    if (!result) throw new SqlStorageError("SQL_EMPTY", "SQL code did not contain a statement.");
    return new Cursor(result);
  }

  /** workerd's (experimental) prepared statement: a function that runs `query` with its bindings. */
  prepare(query: string): (...bindings: unknown[]) => Cursor {
    const text = `${query}`;
    return (...bindings) => this.exec(text, ...bindings);
  }

  /**
   * workerd's (experimental) `ingest()`, for SQL arriving in chunks: runs the complete
   * statements (each ended by `;`) at the start of `query`, and answers what follows them.
   */
  ingest(query: string): IngestResult {
    let remainder = `${query}`;
    const result = { rowsRead: 0, rowsWritten: 0, statementCount: 0 };
    for (;;) {
      const tokens = tokenize(remainder);
      const statement = firstStatement(tokens);
      const end = tokens[statement.length];
      if (!end) return { remainder, ...result };
      if (statement.length > 0) {
        const cursor = this.exec(remainder.slice(0, end.offset + 1));
        cursor.toArray();
        result.rowsRead += cursor.rowsRead;
        result.rowsWritten += cursor.rowsWritten;
        result.statementCount++;
      }
      remainder = remainder.slice(end.offset + 1);
    }
  }

  get databaseSize(): number {
    return this.#db.size;
  }
}

function toParam(value: unknown): SqlParam {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") throw new TypeError("Cannot convert a BigInt value to a number");
  let param: SqlParam;
  if (value instanceof ArrayBuffer) param = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) param = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  else param = `${value as string}`;
  const bytes = typeof param === "string" ? utf8Length(param) : param.byteLength;
  if (bytes > MAX_VALUE_BYTES) throw new SqliteError("string or blob too big", "SQLITE_TOOBIG");
  return param;
}
