import { affinityOf } from "./affinity";
import { UnsupportedSchemaError } from "./errors";
import type { SqlPort } from "./sql-port";

export type SchemaObjectType = "table" | "index" | "view" | "trigger";

/** One user-created row of `sqlite_master`, recreated on restore from its own SQL. */
export interface SchemaObject {
  type: SchemaObjectType;
  name: string;
  table: string;
  sql: string;
}

/** A column as SQLite reports it (`PRAGMA table_xinfo`), generated columns excluded. */
export interface ColumnInfo {
  name: string;
  declaredType: string;
}

/** Schema objects in creation order; SQLite's own (autoindexes, sqlite_sequence) left out. */
export function readSchema(port: SqlPort): SchemaObject[] {
  const rows = port.query(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
  );
  return rows.map(([type, name, table, sql]) => {
    const object = { type, name, table, sql } as SchemaObject;
    if (object.type === "table" && /^\s*CREATE\s+VIRTUAL\s/i.test(object.sql)) {
      throw new UnsupportedSchemaError(`virtual table ${object.name} cannot be checkpointed`);
    }
    return object;
  });
}

/** Columns a row can be inserted into, in declaration order. */
export function readColumns(port: SqlPort, table: string): ColumnInfo[] {
  return port
    .query(`PRAGMA table_xinfo(${quoteId(table)})`)
    .filter((row) => Number(row[6]) === 0)
    .map((row) => ({ name: String(row[1]), declaredType: String(row[2] ?? "") }));
}

/**
 * The name that reaches a table's rowid, or null for WITHOUT ROWID tables (and for the rare
 * table whose columns shadow all three aliases, whose rowid SQL cannot reach either).
 */
export function rowidAlias(port: SqlPort, table: string, columns: readonly ColumnInfo[]): string | null {
  const taken = new Set(columns.map((c) => c.name.toLowerCase()));
  for (const alias of ["rowid", "_rowid_", "oid"]) {
    if (taken.has(alias)) continue;
    try {
      port.query(`SELECT ${alias} FROM ${quoteId(table)} LIMIT 0`);
      return alias;
    } catch {
      return null;
    }
  }
  return null;
}

/** `AUTOINCREMENT` counters, kept so new rows after a restore get the same ids. */
export function readSequences(port: SqlPort): Record<string, string> {
  const exists = port.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (exists.length === 0) return {};
  const sequences: Record<string, string> = {};
  for (const [name, seq] of port.query("SELECT name, CAST(seq AS TEXT) FROM sqlite_sequence")) {
    sequences[String(name)] = String(seq);
  }
  return sequences;
}

/** SQL identifier quoting, doubling embedded quotes. */
export function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Columns whose affinity turns a value bound as text, number or bytes back into the storage
 * class it was read as (integers bound as decimal text included), so restore can bind them
 * without casts. Not BLOB affinity, and not `ANY` in a STRICT table: those store as bound.
 */
export function selfConvertingColumns(port: SqlPort, table: string): Set<string> {
  const strict = Number(port.query(`SELECT strict FROM pragma_table_list WHERE name = ? AND schema = 'main'`, [table])[0]?.[0]) === 1;
  return new Set(
    readColumns(port, table)
      .filter((c) => affinityOf(c.declaredType) !== "BLOB" && !(strict && c.declaredType.toUpperCase() === "ANY"))
      .map((c) => c.name),
  );
}
