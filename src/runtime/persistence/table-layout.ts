import { fieldTypeFor, type FieldType } from "./affinity";
import { readColumns, rowidAlias } from "./schema";
import type { SqlPort } from "./sql-port";

/** One Iceberg field. Ids stay stable across checkpoints while name and type do. */
export interface Field {
  id: number;
  name: string;
  type: FieldType;
  required: boolean;
}

/**
 * How one SQLite table maps to its Iceberg table: an optional rowid field, one typed field per
 * column (named as the column), and a companion field holding, per row, the values whose
 * storage class does not match their field's type (see value-tags.ts).
 */
export interface TableLayout {
  /** Reaches the rowid in SQL; null for WITHOUT ROWID tables. */
  rowidAlias: string | null;
  rowidField: Field | null;
  columnFields: Field[];
  otherField: Field;
  schemaId: number;
  lastFieldId: number;
}

const ROWID_FIELD = "_dotdo_rowid";
const OTHER_FIELD = "_dotdo_other";

/** Fields in file order. */
export function layoutFields(layout: TableLayout): Field[] {
  return [...(layout.rowidField ? [layout.rowidField] : []), ...layout.columnFields, layout.otherField];
}

/** The layout of `table` now, keeping the ids and schema id of `previous` where unchanged. */
export function planLayout(port: SqlPort, table: string, previous?: TableLayout): TableLayout {
  const columns = readColumns(port, table);
  const alias = rowidAlias(port, table, columns);
  const taken = new Set(columns.map((c) => c.name));
  const reserved = (base: string) => {
    let name = base;
    while (taken.has(name)) name += "_";
    taken.add(name);
    return name;
  };
  const known = new Map(previous ? layoutFields(previous).map((f) => [`${f.name}\u0000${f.type}`, f.id]) : []);
  let lastFieldId = previous?.lastFieldId ?? 0;
  const field = (name: string, type: FieldType, required: boolean): Field => ({
    id: known.get(`${name}\u0000${type}`) ?? ++lastFieldId,
    name,
    type,
    required,
  });
  const rowidField = alias === null ? null : field(reserved(ROWID_FIELD), "long", true);
  const columnFields = columns.map((c) => field(c.name, fieldTypeFor(c.declaredType), false));
  const otherField = field(reserved(OTHER_FIELD), "string", false);
  const layout: TableLayout = {
    rowidAlias: alias,
    rowidField,
    columnFields,
    otherField,
    schemaId: previous?.schemaId ?? 0,
    lastFieldId,
  };
  if (previous && !sameFields(previous, layout)) layout.schemaId = previous.schemaId + 1;
  return layout;
}

function sameFields(a: TableLayout, b: TableLayout): boolean {
  return JSON.stringify(layoutFields(a)) === JSON.stringify(layoutFields(b)) && a.rowidAlias === b.rowidAlias;
}
