import { SqlStorageError } from "../sqlite/errors";
import type { SqlValue, StatementResult } from "../sqlite/types";

export type SqlRow = Record<string, SqlValue>;

/** Iterator over raw rows that shares its cursor's position, as workerd's `raw()` does. */
export interface RawIterator extends IterableIterator<SqlValue[]> {
  toArray(): SqlValue[][];
}

/**
 * The result of `sql.exec()`, shaped like workerd's `SqlStorageCursor`. Rows are all read
 * when `exec` runs (workerd steps lazily, so rows written after `exec` but before reading
 * show up there and not here; an error past the first row is thrown where workerd's stepping
 * would meet it); every method consumes from one shared position.
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

  /** Like workerd, counts rows stepped so far: exec steps once, each row read steps again. */
  get rowsRead(): number {
    const { rows, rowsRead } = this.#result;
    return rowsRead - rows.length + Math.min(rows.length, this.#position + 1);
  }

  get rowsWritten(): number {
    return this.#result.rowsWritten;
  }

  /** workerd's: whether `exec` ran a statement prepared by an earlier call with the same text. */
  get reusedCachedQueryForTest(): boolean {
    return this.#result.cached === true;
  }

  /** A separate iterator object over the same position (workerd's is not the cursor itself). */
  [Symbol.iterator](): IterableIterator<SqlRow> {
    const iterator: IterableIterator<SqlRow> = { next: () => this.next(), [Symbol.iterator]: () => iterator };
    return iterator;
  }

  #take(): SqlValue[] | undefined {
    const { rows, error } = this.#result;
    // workerd reads one row ahead: the step that failed was taken while handing out the row before.
    if (error !== undefined && this.#position + 1 >= rows.length) throw error;
    return rows[this.#position++] ?? (this.#position--, undefined);
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
