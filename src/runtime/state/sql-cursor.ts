import { SqlStorageError } from "../sqlite/errors";
import type { SqlValue, StatementResult } from "../sqlite/types";

export type SqlRow = Record<string, SqlValue>;

/** Iterator over raw rows that shares its cursor's position, as workerd's `raw()` does. */
export interface RawIterator extends IterableIterator<SqlValue[]> {
  toArray(): SqlValue[][];
}

/**
 * The result of `sql.exec()`, shaped like workerd's `SqlStorageCursor`. Rows are read when
 * `exec` runs (workerd steps lazily); every method consumes from one shared position.
 */
export class Cursor implements IterableIterator<SqlRow> {
  readonly #result: StatementResult;
  #position = 0;

  constructor(result: StatementResult) {
    this.#result = result;
  }

  next(): IteratorResult<SqlRow> {
    const row = this.#take();
    return row ? { done: false, value: this.#toObject(row) } : ({ done: true } as IteratorReturnResult<undefined>);
  }

  toArray(): SqlRow[] {
    return [...this];
  }

  one(): SqlRow {
    const rows = this.toArray();
    if (rows.length === 0) throw new SqlStorageError("SQL_ONE", "Expected exactly one result from SQL query, but got no results.");
    if (rows.length > 1) throw new SqlStorageError("SQL_ONE", "Expected exactly one result from SQL query, but got multiple results.");
    return rows[0]!;
  }

  raw<T extends SqlValue[] = SqlValue[]>(): RawIterator & IterableIterator<T> {
    const next = (): IteratorResult<T> => {
      const row = this.#take();
      return row ? { done: false, value: row as T } : ({ done: true } as IteratorReturnResult<undefined>);
    };
    const iterator = {
      next,
      toArray: () => [...iterator],
      [Symbol.iterator]: () => iterator,
    };
    return iterator as RawIterator & IterableIterator<T>;
  }

  get columnNames(): string[] {
    return [...this.#result.columnNames];
  }

  get rowsRead(): number {
    return this.#result.rowsRead;
  }

  get rowsWritten(): number {
    return this.#result.rowsWritten;
  }

  [Symbol.iterator](): IterableIterator<SqlRow> {
    return this;
  }

  #take(): SqlValue[] | undefined {
    return this.#result.rows[this.#position++] ?? (this.#position--, undefined);
  }

  #toObject(row: SqlValue[]): SqlRow {
    const object: SqlRow = {};
    // Duplicate column names: the last one wins, as in workerd.
    this.#result.columnNames.forEach((name, i) => {
      object[name] = row[i] ?? null;
    });
    return object;
  }
}
