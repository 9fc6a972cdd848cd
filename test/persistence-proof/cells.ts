import type { SqliteDatabase } from "../../src/runtime/sqlite/types";
import { quoteName } from "./dump";

/**
 * One SQLite value as comparable text that keeps its storage class: `i:` integer (all 64
 * bits), `r:` real (JavaScript's shortest round-trip spelling), `t:` text, `b:` blob in upper
 * hex, `n` null. A row of a rowid table starts with `rowid:{n}`.
 */
export type Cell = string;

/** The documented names of the extra Iceberg fields (docs/persistence.md). */
export const ROWID_FIELD = "_dotdo_rowid";
export const OTHER_FIELD = "_dotdo_other";

export interface TableCells {
  columns: string[];
  withoutRowid: boolean;
  rows: Cell[][];
}

/** Every row of `table` as cells, read with `typeof()` so no engine conversion hides a class. */
export function sqliteCells(db: SqliteDatabase, table: string): TableCells {
  const [[sql] = []] = db.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
  const withoutRowid = /\bWITHOUT\s+ROWID\s*$/i.test(String(sql));
  const columns = db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]).map(([c]) => String(c));
  const select = columns.flatMap((c) => {
    const q = quoteName(c);
    return [`typeof(${q})`, `CASE typeof(${q}) WHEN 'integer' THEN CAST(${q} AS TEXT) WHEN 'blob' THEN hex(${q}) ELSE ${q} END`];
  });
  const rowid = withoutRowid ? [] : ["CAST(_rowid_ AS TEXT)"];
  const rows = db.query(`SELECT ${[...rowid, ...select].join(", ")} FROM ${quoteName(table)}`).map((values) => {
    const cells: Cell[] = withoutRowid ? [] : [`rowid:${String(values[0])}`];
    for (let i = rowid.length; i < values.length; i += 2) cells.push(cell(String(values[i]), values[i + 1]));
    return cells;
  });
  return { columns, withoutRowid, rows: sortRows(rows) };
}

function cell(type: string, value: unknown): Cell {
  switch (type) {
    case "integer":
      return `i:${String(value)}`;
    case "real":
      return `r:${String(value)}`;
    case "text":
      return `t:${String(value)}`;
    case "blob":
      return `b:${String(value)}`;
    default:
      return "n";
  }
}

/** Rows in a stable order: by rowid when there is one, else by their cells. */
export function sortRows(rows: Cell[][]): Cell[][] {
  const key = (row: Cell[]) => (row[0]?.startsWith("rowid:") ? BigInt(row[0].slice(6)) : null);
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    if (ka !== null && kb !== null) return ka < kb ? -1 : ka > kb ? 1 : 0;
    const [ja, jb] = [JSON.stringify(a), JSON.stringify(b)];
    return ja < jb ? -1 : ja > jb ? 1 : 0;
  });
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array((text.match(/../g) ?? []).map((h) => parseInt(h, 16)));
}

/**
 * Rebuilds a row's cells from what an independent reader returned for the Iceberg fields,
 * following the documented mapping: a typed field holds values of its own class; every other
 * value sits in the `_dotdo_other` JSON as `{column: [tag, text]}` (tags i, r, t, b=base64).
 * `value(field)` gives the reader's value already as a cell for the field's Iceberg type
 * (or "n").
 */
export function rowFromIceberg(columns: readonly string[], withoutRowid: boolean, value: (field: string) => Cell, other: string | null): Cell[] {
  const others = other === null ? {} : (JSON.parse(other) as Record<string, [string, string]>);
  const cells: Cell[] = withoutRowid ? [] : [`rowid:${value(ROWID_FIELD).slice(2)}`];
  for (const column of columns) {
    const tagged = others[column];
    if (!tagged) {
      cells.push(value(column));
      continue;
    }
    const [tag, text] = tagged;
    if (tag === "b") cells.push(`b:${hex(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))}`);
    else if (tag === "r") cells.push(`r:${String(Number(text))}`);
    else cells.push(`${tag}:${text}`);
  }
  return cells;
}
