import fc from "fast-check";
import type { SqlPort, SqlValue } from "../../src/runtime/persistence/sql-port";

/** A random database: tables of every rowid kind, mixed-type values, indexes, views, triggers. */
export interface RandomDatabase {
  tables: RandomTable[];
  withExtras: boolean;
}

interface RandomTable {
  name: string;
  kind: "rowid" | "integer-key" | "autoincrement" | "without-rowid" | "strict";
  columns: { name: string; type: string }[];
  rows: SqlValue[][];
}

const declaredTypes = ["", "INTEGER", "INT", "TEXT", "VARCHAR(20)", "REAL", "DOUBLE", "BLOB", "NUMERIC", "BOOLEAN", "JSON", "DECIMAL(10,2)"];
const names = ["a", "b c", 'q"uote', "Value", "_dotdo_other", "rowid", "x1", "ünï"];

const sqlValue: fc.Arbitrary<SqlValue> = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.integer({ min: -5, max: 5 }).map(BigInt),
  fc.double({ noNaN: true }),
  fc.integer({ min: -5, max: 5 }),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.uint8Array({ maxLength: 10 }),
);

const table = (name: string): fc.Arbitrary<RandomTable> =>
  fc
    .record({
      kind: fc.constantFrom("rowid", "integer-key", "autoincrement", "without-rowid", "strict") as fc.Arbitrary<RandomTable["kind"]>,
      columns: fc.uniqueArray(
        fc.record({ name: fc.constantFrom(...names), type: fc.constantFrom(...declaredTypes) }),
        { minLength: 1, maxLength: 4, selector: (c) => c.name.toLowerCase() },
      ),
    })
    .chain(({ kind, columns }) =>
      fc
        .array(fc.array(sqlValue, { minLength: columns.length + 1, maxLength: columns.length + 1 }), { maxLength: 8 })
        .map((rows) => ({ name, kind, columns, rows })),
    );

export const randomDatabase: fc.Arbitrary<RandomDatabase> = fc.record({
  tables: fc
    .uniqueArray(fc.constantFrom("t", "Items", "order", "tab le", "_cf_KV"), { minLength: 1, maxLength: 3 })
    .chain((tableNames) => fc.tuple(...tableNames.map(table))),
  withExtras: fc.boolean(),
});

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** STRICT tables take only these type names; the rest become ANY (stored as bound). */
function strictType(type: string): string {
  if (type.includes("INT")) return "INTEGER";
  if (type === "TEXT" || type.startsWith("VARCHAR")) return "TEXT";
  if (type === "REAL" || type === "DOUBLE") return "REAL";
  return type === "BLOB" ? "BLOB" : "ANY";
}

/** Builds the database the way user code would, through SQL. */
export function createRandomDatabase(port: SqlPort, spec: RandomDatabase): void {
  for (const t of spec.tables) {
    const cols = t.columns.map((c) => `${q(c.name)} ${t.kind === "strict" ? strictType(c.type) : c.type}`);
    const key =
      t.kind === "integer-key" ? ["id INTEGER PRIMARY KEY"] : t.kind === "autoincrement" ? ["id INTEGER PRIMARY KEY AUTOINCREMENT"] : [];
    const pk = t.kind === "without-rowid" ? `, PRIMARY KEY (${q(t.columns[0]!.name)})` : "";
    const suffix = t.kind === "without-rowid" ? " WITHOUT ROWID" : t.kind === "strict" ? " STRICT" : "";
    port.exec(`CREATE TABLE ${q(t.name)} (${[...key, ...cols].join(", ")}${pk})${suffix}`);
    for (const row of t.rows) {
      const [id, ...values] = row;
      const target = t.kind === "integer-key" || t.kind === "autoincrement" ? ["id", ...t.columns.map((c) => q(c.name))] : t.columns.map((c) => q(c.name));
      // sql.js's update hook throws for rowids beyond 2^53 (see docs/persistence.md), so keys stay inside.
      const key = typeof id === "bigint" ? BigInt.asIntN(53, id) : null;
      const bound = t.kind === "integer-key" || t.kind === "autoincrement" ? [key, ...values] : values;
      const exprs = bound.map((v) => (v === null ? "NULL" : typeof v === "bigint" ? "CAST(? AS INTEGER)" : typeof v === "number" ? "CAST(? AS REAL)" : "?"));
      const params = bound.filter((v) => v !== null).map((v) => (typeof v === "bigint" ? v.toString() : v)) as (string | number | Uint8Array)[];
      try {
        port.runMany(`INSERT OR IGNORE INTO ${q(t.name)} (${target.join(", ")}) VALUES (${exprs.join(", ")})`, [params]);
      } catch (error) {
        // STRICT tables refuse values of the wrong type outright, as users would see too.
        if (t.kind !== "strict") throw error;
      }
    }
    if (t.kind === "rowid" && t.rows.length > 2) port.exec(`DELETE FROM ${q(t.name)} WHERE _rowid_ % 3 = 0`);
  }
  if (!spec.withExtras) return;
  const first = spec.tables[0]!;
  const column = q(first.columns[0]!.name);
  port.exec(`CREATE INDEX "idx first" ON ${q(first.name)} (${column})`);
  port.exec(`CREATE VIEW v1 AS SELECT ${column} FROM ${q(first.name)}`);
  port.exec(`CREATE VIEW v2 AS SELECT * FROM v1`);
  port.exec(`CREATE TABLE audit (at INTEGER, what TEXT)`);
  port.exec(`CREATE TRIGGER tr AFTER INSERT ON ${q(first.name)} BEGIN INSERT INTO audit VALUES (1, 'x'); END`);
  port.exec(`INSERT INTO audit VALUES (0, 'before')`);
}
