import { quoteId } from "./schema";
import type { SqlParam, SqlPort, SqlValue } from "./sql-port";
import { layoutFields, type TableLayout } from "./table-layout";
import { fitsField, tagValue, untagValue, type OtherCells } from "./value-tags";

/** Rows of one table in Iceberg form: one array per field, in `layoutFields` order. */
export interface RowBatch {
  rowCount: number;
  columns: SqlValue[][];
}

/** Rowids `[from, to)`; either bound may be open. */
export interface RowidRange {
  from?: bigint;
  to?: bigint;
}

/** Reads rows (in rowid order) into Iceberg fields, moving mismatched values to the companion. */
export function readRows(port: SqlPort, table: string, layout: TableLayout, range: RowidRange = {}): RowBatch {
  const alias = layout.rowidAlias;
  const select = [...(alias ? [alias] : []), ...layout.columnFields.map((f) => quoteId(f.name))];
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
    (alias ? ` ORDER BY ${alias}` : "");
  const rows = port.query(sql, params);
  const fieldCount = layoutFields(layout).length;
  const columns: SqlValue[][] = Array.from({ length: fieldCount }, () => new Array<SqlValue>(rows.length));
  const offset = alias ? 1 : 0;
  const otherColumn = columns[fieldCount - 1]!;
  rows.forEach((row, r) => {
    if (alias) columns[0]![r] = row[0] ?? null;
    let other: OtherCells | null = null;
    layout.columnFields.forEach((field, c) => {
      const value = row[c + offset] ?? null;
      if (value === null || fitsField(value, field.type)) {
        columns[c + offset]![r] = value;
      } else {
        columns[c + offset]![r] = null;
        (other ??= {})[field.name] = tagValue(value);
      }
    });
    otherColumn[r] = other === null ? null : JSON.stringify(other);
  });
  return { rowCount: rows.length, columns };
}

/**
 * Inserts a batch. Each value is bound with its storage class tag and cast in SQL, so the
 * engine's own binding rules (e.g. large integers bound as doubles) cannot change it.
 * `parseOther` turns companion text into cells; it throws for damaged input.
 */
export function writeRows(
  port: SqlPort,
  table: string,
  layout: TableLayout,
  batch: RowBatch,
  parseOther: (text: string) => OtherCells,
): void {
  const alias = layout.rowidAlias;
  const names = [...(alias ? [alias] : []), ...layout.columnFields.map((f) => quoteId(f.name))];
  const values = names.map((_, i) => {
    const tag = `?${2 * i + 1}`;
    const value = `?${2 * i + 2}`;
    return `CASE ${tag} WHEN 'i' THEN CAST(${value} AS INTEGER) WHEN 'r' THEN CAST(${value} AS REAL) ELSE ${value} END`;
  });
  const sql = `INSERT INTO ${quoteId(table)} (${names.join(", ")}) VALUES (${values.join(", ")})`;
  const offset = alias ? 1 : 0;
  const otherColumn = batch.columns[batch.columns.length - 1]!;
  function* params(): Generator<SqlParam[]> {
    for (let r = 0; r < batch.rowCount; r++) {
      const otherText = otherColumn[r];
      const other = typeof otherText === "string" ? parseOther(otherText) : null;
      const row: SqlParam[] = [];
      if (alias) bindValue(row, batch.columns[0]![r] ?? null);
      layout.columnFields.forEach((field, c) => {
        const tagged = other?.[field.name];
        bindValue(row, tagged ? untagValue(tagged) : (batch.columns[c + offset]![r] ?? null));
      });
      yield row;
    }
  }
  port.runMany(sql, params());
}

function bindValue(row: SqlParam[], value: SqlValue): void {
  if (value === null) row.push(null, null);
  else if (typeof value === "bigint") row.push("i", value.toString());
  else if (typeof value === "number") row.push("r", value);
  else if (typeof value === "string") row.push("t", value);
  else row.push("b", value);
}
