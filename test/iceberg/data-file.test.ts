import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tableArb } from "./arbitraries";
import {
  buildSchema,
  CorruptFileError,
  deserializeBound,
  InvalidIcebergInputError,
  readDataFile,
  writeDataFile,
  type BoundValue,
  type Row,
  type Schema,
} from "./api";

const schema = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "score", type: "double" },
  { name: "name", type: "string" },
  { name: "blob", type: "binary" },
  { name: "ok", type: "boolean" },
]);

const rows: Row[] = [
  { id: 2n ** 62n + 1n, score: 1.5, name: "héllo 😀", blob: new Uint8Array([0, 255, 7]), ok: true },
  { id: -(2n ** 63n), score: Number.NaN, name: null, blob: null, ok: null },
  { id: 2n ** 63n - 1n, score: -0, name: "", blob: new Uint8Array(), ok: false },
  { id: 9007199254740993n, score: Number.NEGATIVE_INFINITY, name: "\u{10FFFF}z", blob: new Uint8Array([1]), ok: true },
];

/** Same ordering the writer must use for bounds: Iceberg's (code points, unsigned bytes, -0 < 0). */
function ordered(a: BoundValue, b: BoundValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) <= 0;
  if (typeof a === "string" && typeof b === "string") return Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0;
  if (typeof a === "number" && typeof b === "number") return a < b || (a === b && !(Object.is(a, 0) && Object.is(b, -0)));
  return a <= b;
}

async function roundTrip(s: Schema, input: Row[]): Promise<Row[]> {
  return readDataFile(writeDataFile(s, input).bytes, s, "mem://t.parquet");
}

describe("Parquet data files", () => {
  it("round-trips big integers, NaN, -0, unicode, binary and nulls exactly", async () => {
    const back = await roundTrip(schema, rows);
    expect(back.map((r) => ({ ...r }))).toEqual(rows);
    expect(Object.is(back[2]?.["score"], -0)).toBe(true);
  });

  it("records counts and Iceberg single-value bounds per field id", () => {
    const { recordCount, columnStats } = writeDataFile(schema, rows);
    expect(recordCount).toBe(4);
    const id = columnStats.get(1);
    expect(id).toMatchObject({ valueCount: 4, nullCount: 0 });
    expect(deserializeBound("long", id?.lowerBound as Uint8Array)).toBe(-(2n ** 63n));
    expect(deserializeBound("long", id?.upperBound as Uint8Array)).toBe(2n ** 63n - 1n);
    const score = columnStats.get(2);
    expect(score).toMatchObject({ valueCount: 4, nullCount: 0, nanCount: 1 });
    expect(deserializeBound("double", score?.lowerBound as Uint8Array)).toBe(Number.NEGATIVE_INFINITY);
    expect(deserializeBound("double", score?.upperBound as Uint8Array)).toBe(1.5);
    // U+10FFFF sorts above every BMP character in code point (UTF-8) order.
    expect(deserializeBound("string", columnStats.get(3)?.upperBound as Uint8Array)).toBe("\u{10FFFF}z");
    expect(columnStats.get(3)?.lowerBound).toEqual(new Uint8Array());
    expect(columnStats.get(5)).toMatchObject({ nullCount: 1, lowerBound: new Uint8Array([0]), upperBound: new Uint8Array([1]) });
    for (const stats of columnStats.values()) expect(stats.columnSize).toBeGreaterThan(0);
  });

  it("truncates long string and binary bounds to 16 code points / bytes, keeping them valid", () => {
    const s = buildSchema([{ name: "s", type: "string" }, { name: "b", type: "binary" }]);
    const long = "a".repeat(15) + "\u{1F600}" + "tail";
    const { columnStats } = writeDataFile(s, [{ s: long, b: new Uint8Array(20).fill(0xff) }, { s: "b", b: new Uint8Array([1]) }]);
    expect(deserializeBound("string", columnStats.get(1)?.lowerBound as Uint8Array)).toBe("a".repeat(15) + "\u{1F600}");
    expect(deserializeBound("string", columnStats.get(1)?.upperBound as Uint8Array)).toBe("b");
    // 20 bytes of 0xff have no 16-byte upper bound: Iceberg then omits it.
    expect(columnStats.get(2)?.upperBound).toBeUndefined();
    expect(columnStats.get(2)?.lowerBound).toEqual(new Uint8Array([1]));
  });

  it("maps columns by field id: a renamed column still reads, an added one reads as null", async () => {
    const bytes = writeDataFile(schema, rows).bytes;
    const renamed = buildSchema([{ name: "key", type: "long", required: true }, { name: "extra", type: "string" }], {
      ...schema,
      fields: [{ ...(schema.fields[0] as Schema["fields"][number]), name: "key" }],
    });
    const back = await readDataFile(bytes, renamed, "mem://t.parquet");
    expect(back.map((r) => ({ ...r }))).toEqual(rows.map((r) => ({ key: r["id"], extra: null })));
  });

  it("keeps a column named __proto__ as data", async () => {
    const s = buildSchema([{ name: "__proto__", type: "string" }]);
    const row: Row = Object.create(null);
    row["__proto__"] = "x";
    const [back] = await roundTrip(s, [row]);
    expect(Object.hasOwn(back as object, "__proto__") && back?.["__proto__"]).toBe("x");
  });

  it("writes and reads an empty file", async () => {
    expect(await roundTrip(schema, [])).toEqual([]);
    expect(writeDataFile(schema, []).columnStats.get(1)).toEqual(expect.objectContaining({ valueCount: 0, nullCount: 0 }));
  });

  it("rejects values that do not fit their column, naming row and column", () => {
    const bad = (row: Row) => () => writeDataFile(schema, [row]);
    expect(bad({ id: 1 })).toThrow(InvalidIcebergInputError);
    expect(bad({ id: 1 })).toThrow(/row 0: column "id" of type long cannot hold a number/);
    expect(bad({ id: 2n ** 63n })).toThrow(/column "id"/);
    expect(bad({ id: null })).toThrow(/required column "id" is null/);
    expect(bad({ id: 1n, name: new Uint8Array() })).toThrow(/column "name" of type string cannot hold a Uint8Array/);
  });

  it("refuses two columns whose Parquet names would collide", () => {
    const clash = buildSchema([{ name: "a b", type: "long" }, { name: "a_x20b", type: "long" }]);
    expect(() => writeDataFile(clash, [])).toThrow(/clash once made Parquet-compatible: "a_x20b"/);
  });

  it("property: any schema and values round-trip exactly and bounds bracket every value", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, async ({ schema: s, rows: input }) => {
        const written = writeDataFile(s, input);
        const back = await readDataFile(written.bytes, s, "mem://p.parquet");
        expect(back.map((r) => ({ ...r }))).toEqual(input.map((r) => ({ ...r })));
        for (const field of s.fields) {
          const stats = written.columnStats.get(field.id);
          const values = input.map((r) => r[field.name] ?? null);
          expect(stats?.valueCount).toBe(values.length);
          expect(stats?.nullCount).toBe(values.filter((v) => v === null).length);
          const lower = stats?.lowerBound && deserializeBound(field.type, stats.lowerBound);
          const upper = stats?.upperBound && deserializeBound(field.type, stats.upperBound);
          for (const v of values) {
            if (v === null || (typeof v === "number" && Number.isNaN(v))) continue;
            expect(lower !== undefined && ordered(lower, v)).toBe(true);
            if (upper !== undefined) expect(ordered(v, upper)).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("corrupt data files", () => {
  const bytes = writeDataFile(schema, rows).bytes;

  it("names the file when the Parquet is truncated", async () => {
    const read = readDataFile(bytes.subarray(0, bytes.length - 10), schema, "s3://b/t/data/a.parquet");
    await expect(read).rejects.toThrow(CorruptFileError);
    await expect(read).rejects.toMatchObject({ code: "CORRUPT_SNAPSHOT_FILE", path: "s3://b/t/data/a.parquet" });
  });

  it("names the file when the data pages are damaged", async () => {
    const damaged = bytes.slice();
    damaged.fill(0xee, 4, Math.floor(bytes.length / 2));
    await expect(readDataFile(damaged, schema, "file:///t/a.parquet")).rejects.toMatchObject({
      code: "CORRUPT_SNAPSHOT_FILE",
      path: "file:///t/a.parquet",
    });
  });

  it("refuses a file whose column has another type than the schema says", async () => {
    const other = buildSchema([{ name: "id", type: "string", required: true }]);
    await expect(readDataFile(bytes, other, "file:///t/a.parquet")).rejects.toThrow(/field id 1\) is not of type string/);
  });
});
