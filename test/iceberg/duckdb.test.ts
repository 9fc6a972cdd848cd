import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableArb } from "./arbitraries";
import { buildSchema, compatibleNameForTest, readDataFile, schemaToJson, writeDataFile, type IcebergValue, type Row, type Schema } from "./api";

// DuckDB is an independent Parquet reader: what it sees is what Spark, Trino & co. will see.
let dir: string;
let instance: DuckDBInstance;
let db: DuckDBConnection;
let fileNo = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dotdo-duckdb-"));
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
});

afterAll(() => {
  db.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

function store(schema: Schema, rows: Row[]): string {
  const file = join(dir, `f${fileNo++}.parquet`);
  writeFileSync(file, writeDataFile(schema, rows).bytes);
  return file.replaceAll("'", "''");
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** DuckDB's values in the writer's form: its BLOBs come back as Node Buffers. */
async function readBack(file: string, schema: Schema): Promise<Row[]> {
  const reader = await db.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
  return reader.getRowsJS().map((values) => {
    const row: Row = Object.create(null); // a column may be called __proto__
    schema.fields.forEach((field, i) => {
      const v = values[i] as IcebergValue;
      row[field.name] = v instanceof Uint8Array ? new Uint8Array(v) : v;
    });
    return row;
  });
}

const schema = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "score", type: "double" },
  { name: "name", type: "string" },
  { name: "blob", type: "binary" },
  { name: "ok", type: "boolean" },
  { name: "odd name!", type: "string" },
]);
const rows: Row[] = [
  { id: 2n ** 63n - 1n, score: 0.1, name: "日本語 😀", blob: new Uint8Array([0, 1, 255]), ok: true, "odd name!": "x" },
  { id: -(2n ** 63n), score: null, name: null, blob: null, ok: null, "odd name!": null },
  { id: 9007199254740993n, score: -2.5e300, name: "", blob: new Uint8Array(), ok: false, "odd name!": "y" },
];

describe("DuckDB read_parquet on dotdo data files", () => {
  it("sees BIGINT, DOUBLE, VARCHAR, BLOB, BOOLEAN and required/optional columns", async () => {
    const file = store(schema, rows);
    const described = await query(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(described.map((d) => [d["column_name"], d["column_type"]])).toEqual([
      ["id", "BIGINT"],
      ["score", "DOUBLE"],
      ["name", "VARCHAR"],
      ["blob", "BLOB"],
      ["ok", "BOOLEAN"],
      ["odd_x20name_x21", "VARCHAR"],
    ]);
  });

  it("reads the same rows, including 64-bit integers beyond 2^53", async () => {
    const file = store(schema, rows);
    expect((await readBack(file, schema)).map((r) => ({ ...r }))).toEqual(rows);
    const [sum] = await query(`SELECT sum(id)::VARCHAR AS s FROM read_parquet('${file}') WHERE id > 0`);
    expect(sum?.["s"]).toBe(String(2n ** 63n - 1n + 9007199254740993n));
  });

  it("parquet_schema() shows the Iceberg field ids", async () => {
    const file = store(schema, rows);
    const fields = await query(`SELECT name, field_id, repetition_type FROM parquet_schema('${file}') WHERE name <> 'table'`);
    expect(fields).toEqual(
      schema.fields.map((f) => ({
        name: compatibleNameForTest(f.name),
        field_id: BigInt(f.id),
        repetition_type: f.required ? "REQUIRED" : "OPTIONAL",
      })),
    );
    const [kv] = await query(`SELECT decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'iceberg.schema'`);
    expect(JSON.parse(String(kv?.["v"]))).toEqual(schemaToJson(schema));
  });

  it("dotdo reads a Parquet file DuckDB wrote, by field id", async () => {
    const file = join(dir, "from-duckdb.parquet");
    await db.run(`COPY (SELECT * FROM (VALUES
        ('Ada', 9223372036854775807::BIGINT, 'x'::BLOB, true, 1.5::DOUBLE),
        (NULL, -5::BIGINT, NULL, NULL, NULL)) t(label, num, raw, flag, ratio))
      TO '${file.replaceAll("'", "''")}' (FORMAT parquet, FIELD_IDS {label: 3, num: 1, raw: 4, flag: 5, ratio: 2})`);
    const s = buildSchema([
      { name: "id", type: "long" },
      { name: "score", type: "double" },
      { name: "name", type: "string" },
      { name: "blob", type: "binary" },
      { name: "ok", type: "boolean" },
    ]);
    const rows = await readDataFile(new Uint8Array(readFileSync(file)), s, file);
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { id: 2n ** 63n - 1n, score: 1.5, name: "Ada", blob: new TextEncoder().encode("x"), ok: true },
      { id: -5n, score: null, name: null, blob: null, ok: null },
    ]);
  });

  it("property: random schemas and values read back the same through DuckDB", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, async ({ schema: s, rows: input }) => {
        const file = store(s, input);
        expect((await readBack(file, s)).map((r) => ({ ...r }))).toEqual(input.map((r) => ({ ...r })));
      }),
      { numRuns: 40 },
    );
  });
});
