import { buildSchema, type ColumnSpec, type Schema } from "../iceberg/schema";
import { fieldTypeFor } from "./affinity";
import { readColumns, rowidAlias } from "./schema";
import type { SqlPort } from "./sql-port";

/**
 * How one SQLite table maps to its Iceberg table: an optional rowid field, one typed field per
 * column (named as the column), and a companion field holding, per row, the values whose
 * storage class does not match their field's type (see value-tags.ts).
 */
export interface TableLayout {
  /** Reaches the rowid in SQL; null for WITHOUT ROWID tables. */
  rowidAlias: string | null;
  /** Field names of the rowid (null without one) and of the companion. */
  rowidField: string | null;
  otherField: string;
  /** Column fields are `schema.fields` minus those two, in column order. */
  schema: Schema;
}

const ROWID_FIELD = "_dotdo_rowid";
const OTHER_FIELD = "_dotdo_other";

/** The column fields (one per SQLite column) of a layout. */
export function columnFields(layout: TableLayout): Schema["fields"] {
  return layout.schema.fields.filter((f) => f.name !== layout.rowidField && f.name !== layout.otherField);
}

/** The layout of `table` now, keeping field ids and schema id of `previous` where unchanged. */
export function planLayout(port: SqlPort, table: string, previous?: TableLayout): TableLayout {
  const columns = readColumns(port, table);
  const alias = rowidAlias(port, table, columns);
  const taken = new Set(columns.map((c) => c.name.toLowerCase()));
  const reserve = (base: string) => {
    let name = base;
    while (taken.has(name.toLowerCase())) name += "_";
    taken.add(name.toLowerCase());
    return name;
  };
  const rowidField = alias === null ? null : reserve(ROWID_FIELD);
  const otherField = reserve(OTHER_FIELD);
  const specs: ColumnSpec[] = [
    ...(rowidField === null ? [] : [{ name: rowidField, type: "long" as const, required: true }]),
    ...columns.map((c) => ({ name: c.name, type: fieldTypeFor(c.declaredType) })),
    { name: otherField, type: "string" },
  ];
  return { rowidAlias: alias, rowidField, otherField, schema: buildSchema(specs, previous?.schema) };
}
