import type { SqliteDatabase } from "../sqlite/types";

/** workerd keeps the alarm (and its local bookmark counter) in this hidden table, so they are state like any other. */
export const METADATA_TABLE = "_cf_METADATA";
/** Keys of `METADATA_TABLE`'s rows, as in workerd's SqliteMetadata. */
export const ALARM_KEY = 1;
export const BOOKMARK_KEY = 2;

/** One integer of `METADATA_TABLE`; null when unset (or the table does not exist yet). */
export function readMetadata(db: SqliteDatabase, key: number): number | null {
  try {
    const [row] = db.query(`SELECT value FROM ${METADATA_TABLE} WHERE key = ${key}`);
    return row ? Number(row[0]) : null;
  } catch {
    return null; // no metadata table yet
  }
}

export function writeMetadata(db: SqliteDatabase, key: number, value: number): void {
  db.query(`CREATE TABLE IF NOT EXISTS ${METADATA_TABLE} (key INTEGER PRIMARY KEY, value BLOB)`);
  db.query(`INSERT OR REPLACE INTO ${METADATA_TABLE} (key, value) VALUES (${key}, CAST(? AS INTEGER))`, [value]);
}

/** Reads and writes the object's one alarm time (ms since the epoch) in its database. */
export class AlarmStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  get(): number | null {
    return readMetadata(this.#db, ALARM_KEY);
  }

  set(time: number): void {
    writeMetadata(this.#db, ALARM_KEY, time);
  }

  delete(): void {
    if (this.get() !== null) this.#db.query(`DELETE FROM ${METADATA_TABLE} WHERE key = ${ALARM_KEY}`);
  }
}
