import { fitsType, type Row } from "../iceberg/values";
import { quoteId } from "./schema";
import type { PortValue, SqlParam, SqlPort, SqlValue } from "./sql-port";
import { columnFields, type TableLayout } from "./table-layout";
import { tagValue, untagValue, type OtherCells } from "./value-tags";

/** Rowids `[from, to)`; an absent bound is open. */
export interface RowidRange {
  from?: bigint;
  to?: bigint;
}

/**
 * Reads rows (in rowid order, at most `limit`) as Iceberg rows, moving values whose storage
 * class does not match their field to the companion.
 */
export function readRows(port: SqlPort, table: string, layout: TableLayout, range: RowidRange = {}, limit?: number): Row[] {
  const alias = layout.rowidAlias;
  const fields = columnFields(layout);
  // Each value comes with its storage class, and integers as text: exact on any engine.
  const select = [
    ...(alias ? [`CAST(${alias} AS TEXT)`] : []),
    ...fields.flatMap((f) => {
      const c = quoteId(f.name);
      return [`typeof(${c})`, `CASE typeof(${c}) WHEN 'integer' THEN CAST(${c} AS TEXT) ELSE ${c} END`];
    }),
  ];
  const where: string[] = [];
  const params: SqlParam[] = [];
  if (alias && range.from !== undefined) {
    where.push(`${alias} >= CAST(? AS INTEGER)`);
    params.push(range.from.toString());
  }
  if (alias && range.to !== undefined) {
    where.push(`${alias} < CAST(? AS INTEGER)`);
    params.push(range.to.toString());
  }
  const sql =
    `SELECT ${select.join(", ")} FROM ${quoteId(table)}` +
    (where.length ? ` WHERE ${where.join(" AND ")}` : "") +
    (alias ? ` ORDER BY ${alias}` : "") +
    (limit === undefined ? "" : ` LIMIT ${limit}`);
  const offset = alias ? 1 : 0;
  return port.query(sql, params).map((values) => {
    const row: Row = {};
    if (layout.rowidField) row[layout.rowidField] = BigInt(values[0] as string);
    let other: OtherCells | null = null;
    fields.forEach((field, c) => {
      const value = exactValue(values[offset + 2 * c] as string, values[offset + 2 * c + 1] ?? null);
      if (value === null || fitsType(field.type, value)) {
        row[field.name] = value;
      } else {
        row[field.name] = null;
        (other ??= {})[field.name] = tagValue(value);
      }
    });
    row[layout.otherField] = other === null ? null : JSON.stringify(other);
    return row;
  });
}

/**
 * Inserts rows so each value keeps its storage class whatever the engine's binding rules
 * (e.g. every number bound as REAL): integers are bound as decimal text, and columns whose
 * affinity would not turn that back (`selfConverting` lacks them) get a storage class tag and
 * a cast in SQL. `parseOther` turns companion text into cells; it throws for damaged input.
 */
export function writeRows(
  port: SqlPort,
  table: string,
  layout: TableLayout,
  rows: Iterable<Row>,
  parseOther: (text: string) => OtherCells,
  selfConverting: ReadonlySet<string>,
): void {
  const alias = layout.rowidAlias;
  const fields = columnFields(layout);
  const tagged = fields.map((f) => !selfConverting.has(f.name));
  const names = [...(alias ? [alias] : []), ...fields.map((f) => quoteId(f.name))];
  let next = 1;
  const values = [
    ...(alias ? [`CAST(?${next++} AS INTEGER)`] : []),
    ...tagged.map((withTag) => {
      if (!withTag) return `?${next++}`;
      const tag = `?${next++}`;
      const value = `?${next++}`;
      return `CASE ${tag} WHEN 'i' THEN CAST(${value} AS INTEGER) WHEN 'r' THEN CAST(${value} AS REAL) ELSE ${value} END`;
    }),
  ];
  const sql = `INSERT INTO ${quoteId(table)} (${names.join(", ")}) VALUES (${values.join(", ")})`;
  function* params(): Generator<SqlParam[]> {
    for (const row of rows) {
      const otherText = row[layout.otherField];
      const other = typeof otherText === "string" ? parseOther(otherText) : null;
      const bound: SqlParam[] = [];
      if (layout.rowidField) bound.push(String(row[layout.rowidField]));
      fields.forEach((field, i) => {
        const cell = other?.[field.name];
        const value = cell ? untagValue(cell) : ((row[field.name] ?? null) as SqlValue);
        if (tagged[i]) bindTagged(bound, value);
        else bound.push(typeof value === "bigint" ? value.toString() : value);
      });
      yield bound;
    }
  }
  port.runMany(sql, params());
}

function exactValue(storageClass: string, value: PortValue): SqlValue {
  switch (storageClass) {
    case "integer":
      return BigInt(value as string);
    case "blob":
      return value instanceof Uint8Array ? value : new Uint8Array(value as ArrayBuffer);
    case "null":
      return null;
    default:
      return value as number | string;
  }
}

function bindTagged(row: SqlParam[], value: SqlValue): void {
  if (value === null) row.push(null, null);
  else if (typeof value === "bigint") row.push("i", value.toString());
  else if (typeof value === "number") row.push("r", value);
  else if (typeof value === "string") row.push("t", value);
  else row.push("b", value);
}
