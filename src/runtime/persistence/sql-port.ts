/**
 * The narrow view of an object's SQLite database that persistence needs. It is kept apart
 * from the engine so checkpoints work with any engine that can honour it.
 */

/** A value exactly as SQLite stores it: INTEGER is always a bigint so none loses precision. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** What persistence binds. Integers are passed as decimal text and cast in SQL. */
export type SqlParam = null | number | string | Uint8Array;

export interface SqlPort {
  /** All rows of one statement, INTEGER values as bigint. */
  query(sql: string, params?: readonly SqlParam[]): SqlValue[][];
  /** One statement, prepared once, run once per parameter row. */
  runMany(sql: string, rows: Iterable<readonly SqlParam[]>): void;
  /** One or more statements without results. */
  exec(sql: string): void;
}
