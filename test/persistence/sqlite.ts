import type { Database, SqlJsStatic } from "sql.js";
import { loadSqlJs } from "../../src/runtime/sqlite/sqljs-loader";
import { sqlJsPort } from "../../src/runtime/persistence/sqljs-port";
import type { PortValue, SqlPort } from "../../src/runtime/persistence/sql-port";

let sqlJs: Promise<SqlJsStatic> | undefined;

/**
 * A fresh in-memory sql.js database (the wasm is compiled once per test file). Its port reads
 * and loads SQLite images unless `image` is false (then only the Iceberg tables are used).
 */
export async function openDatabase({ image = true } = {}): Promise<{ db: Database; port: SqlPort }> {
  // The runtime's loader: sql.js keeps the first instance it starts, and the runtime must see it start.
  sqlJs ??= loadSqlJs();
  const sql = await sqlJs;
  const db = new sql.Database();
  return { db, port: image ? sqlJsPort(db, sql) : sqlJsPort(db) };
}

/**
 * Everything observable about a database, exactly: schema SQL, AUTOINCREMENT counters and
 * every row with rowid (integers as bigint, so INTEGER and REAL stay apart).
 */
export function dumpDatabase(port: SqlPort): unknown {
  const schema = port.query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name");
  const tables = port.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  const rows: Record<string, PortValue[][]> = {};
  for (const [name, sql] of tables) {
    const quoted = `"${String(name).replaceAll('"', '""')}"`;
    const withoutRowid = /WITHOUT\s+ROWID/i.test(String(sql));
    rows[String(name)] = port.query(
      withoutRowid ? `SELECT * FROM ${quoted} ORDER BY 1` : `SELECT _rowid_, * FROM ${quoted} ORDER BY _rowid_`,
    );
  }
  const hasSequence = port.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").length > 0;
  const sequences = hasSequence ? port.query("SELECT name, seq FROM sqlite_sequence ORDER BY name") : [];
  return { schema, rows, sequences };
}
