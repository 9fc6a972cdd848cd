import type { StagedImage } from "../sqlite/types";

/**
 * The narrow view of an object's SQLite database that persistence needs. It is kept apart
 * from the engine so checkpoints work with any engine that can honour it.
 */

/**
 * A value as an engine returns it. INTEGER may come back as a number or a bigint; where
 * exactness matters persistence reads integers as text, so either works.
 */
export type PortValue = null | bigint | number | string | Uint8Array | ArrayBuffer;

/** A value exactly as SQLite stores it: INTEGER is a bigint so none loses precision. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** What persistence binds. Integers are passed as decimal text and cast in SQL. */
export type SqlParam = null | number | string | Uint8Array;

export interface SqlPort {
  /** All rows of one statement. */
  query(sql: string, params?: readonly SqlParam[]): PortValue[][];
  /** One statement, prepared once, run once per parameter row. */
  runMany(sql: string, rows: Iterable<readonly SqlParam[]>): void;
  /** One or more statements without results. */
  exec(sql: string): void;
  /**
   * Row-level change notices (an update hook), when the engine has them. `rowid` is null when
   * it cannot be told exactly. Returns the unsubscribe function.
   */
  onChange?(listener: ChangeListener): () => void;
  /** The committed database as a SQLite file image, read without closing it; null when not now. */
  image?(): Uint8Array | null;
  /** Opens a SQLite file image to replace the whole database with (see `SqliteDatabase.stageImage`). */
  stageImage?(image: Uint8Array): StagedImage;
}

export type ChangeListener = (table: string, rowid: bigint | null) => void;
