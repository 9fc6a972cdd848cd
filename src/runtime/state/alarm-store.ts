import type { SqliteDatabase } from "../sqlite/types";

/** workerd keeps the alarm in this hidden table, so it is state like any other. */
export const METADATA_TABLE = "_cf_METADATA";
const ALARM_KEY = 1;

/** Reads and writes the object's one alarm time (ms since the epoch) in its database. */
export class AlarmStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  get(): number | null {
    try {
      const [row] = this.#db.query(`SELECT value FROM ${METADATA_TABLE} WHERE key = ${ALARM_KEY}`);
      return row ? Number(row[0]) : null;
    } catch {
      return null; // no metadata table yet: no alarm
    }
  }

  set(time: number): void {
    this.#db.query(`CREATE TABLE IF NOT EXISTS ${METADATA_TABLE} (key INTEGER PRIMARY KEY, value BLOB)`);
    this.#db.query(`INSERT OR REPLACE INTO ${METADATA_TABLE} (key, value) VALUES (${ALARM_KEY}, CAST(? AS INTEGER))`, [time]);
  }

  delete(): void {
    if (this.get() !== null) this.#db.query(`DELETE FROM ${METADATA_TABLE} WHERE key = ${ALARM_KEY}`);
  }
}
