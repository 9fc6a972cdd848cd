import type { SqliteDatabase } from "../../src/runtime/sqlite/types";

/** Everything observable about a database, as exact text. */
export interface DatabaseDump {
  /** `sqlite_master`: type, name, table, SQL. */
  schema: string[][];
  /** Per table (internal ones too: KV, alarm, `sqlite_sequence`), every row as SQL literals. */
  rows: Record<string, string[][]>;
}

/**
 * Reads a database through SQLite's own `quote()`, which spells every value as a literal of
 * its storage class (`1` vs `1.0`, all 64 bits of an integer, REALs to round-trip, BLOBs in
 * hex), so two dumps are equal only if every value and storage class is.
 */
export function dumpDatabase(db: SqliteDatabase): DatabaseDump {
  const text = (rows: unknown[][]) => rows.map((row) => row.map((value) => String(value)));
  const schema = text(db.query("SELECT type, name, tbl_name, quote(sql) FROM sqlite_master ORDER BY type, name"));
  const rows: Record<string, string[][]> = {};
  for (const [name, sql] of db.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    const table = quoteName(String(name));
    const columns = db.query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, [String(name)]).map(([c]) => `quote(${quoteName(String(c))})`);
    const withoutRowid = /\bWITHOUT\s+ROWID\s*$/i.test(String(sql));
    const select = withoutRowid
      ? `SELECT ${columns.join(", ")} FROM ${table} ORDER BY ${columns.map((_, i) => i + 1).join(", ")}`
      : `SELECT quote(_rowid_), ${columns.join(", ")} FROM ${table} ORDER BY _rowid_`;
    rows[String(name)] = text(db.query(select));
  }
  return { schema, rows };
}

export function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
