import avro from "avsc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AvroReader } from "../../src/runtime/iceberg/avro/binary";
import { datumCodec } from "../../src/runtime/iceberg/avro/schema-codec";
import { MANIFEST_ENTRY_SCHEMA, MANIFEST_FILE_SCHEMA } from "../../src/runtime/iceberg/manifest-schemas";
import { tableArb } from "./arbitraries";
import {
  buildSchema,
  dataFileOf,
  readManifest,
  readManifestList,
  writeDataFile,
  writeManifest,
  writeManifestList,
  type AvroCodec,
  type ManifestFile,
} from "./api";

// avsc (Node build) is an independent Avro implementation: it must decode what dotdo writes,
// and dotdo must read what avsc writes. dotdo itself cannot use avsc at run time (it generates
// code with `new Function`, which workerd refuses); here in Node it serves as a reference.

async function avscDecode(bytes: Uint8Array): Promise<{ header: Record<string, Buffer>; codec: string; records: unknown[] }> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    let header: Record<string, Buffer> = {};
    let codec = "";
    const decoder = new avro.streams.BlockDecoder();
    decoder.on("metadata", (_type: unknown, c: string, h: { meta: Record<string, Buffer> }) => {
      codec = c;
      header = h.meta;
    });
    decoder.on("data", (r: unknown) => records.push(r));
    decoder.on("end", () => resolve({ header, codec, records }));
    decoder.on("error", reject);
    decoder.end(Buffer.from(bytes));
  });
}

async function avscEncode(schema: object, records: unknown[], codec: AvroCodec, metadata: Record<string, string>): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const meta = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)]));
    const encoder = new avro.streams.BlockEncoder(avro.Type.forSchema(schema as avro.Schema), { codec, metadata: meta } as never);
    encoder.on("data", (c: Buffer) => chunks.push(c));
    encoder.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    encoder.on("error", reject);
    for (const r of records) encoder.write(r);
    encoder.end();
  });
}

const base = "s3://bucket/t";

describe("Avro interoperability with avsc", () => {
  it("property: datum encodings are byte-identical to avsc's and decode back", () => {
    const schema = {
      type: "record", name: "r", namespace: "ns",
      fields: [
        { name: "l", type: "long" },
        { name: "i", type: "int" },
        { name: "d", type: "double" },
        { name: "s", type: "string" },
        { name: "b", type: "bytes" },
        { name: "o", type: ["null", "string"] },
        { name: "a", type: { type: "array", items: { type: "record", name: "kv", fields: [{ name: "key", type: "int" }, { name: "value", type: "bytes" }] } } },
        { name: "m", type: { type: "map", values: "long" } },
        { name: "again", type: ["null", "kv"] },
        { name: "e", type: { type: "enum", name: "E", symbols: ["A", "B"] } },
        { name: "f", type: { type: "fixed", name: "F", size: 3 } },
      ],
    };
    const ours = datumCodec(schema);
    const theirs = avro.Type.forSchema(schema as avro.Schema);
    const kv = fc.record({ key: fc.integer(), value: fc.uint8Array({ maxLength: 8 }) });
    // avsc zig-zags longs in float arithmetic, so it garbles negatives below -2^52 (see below).
    const long = fc.integer({ min: -(2 ** 52), max: 2 ** 52 });
    const value = fc.record({
      l: long,
      i: fc.integer(),
      d: fc.double(),
      s: fc.string({ unit: "binary" }),
      b: fc.uint8Array({ maxLength: 20 }),
      o: fc.option(fc.string(), { nil: null }),
      a: fc.array(kv, { maxLength: 4 }),
      m: fc.dictionary(fc.string({ unit: "binary" }), long, { maxKeys: 4, noNullPrototype: true }),
      again: fc.option(kv, { nil: null }),
      e: fc.constantFrom("A", "B"),
      f: fc.uint8Array({ minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(value, (v) => {
        const forAvsc = { ...v, b: Buffer.from(v.b), f: Buffer.from(v.f), a: v.a.map((x) => ({ ...x, value: Buffer.from(x.value) })), again: v.again && { ...v.again, value: Buffer.from(v.again.value) } };
        const bytes = ours.encode(v);
        expect(Buffer.from(bytes).equals(theirs.toBuffer(forAvsc))).toBe(true);
        const back = ours.read(new AvroReader(bytes)) as typeof v;
        expect({ ...back, m: { ...back.m } }).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });


  it("encodes longs up to ±(2^53 - 1) exactly, where avsc turns -(2^52 + 1) into +2^52", () => {
    const codec = datumCodec("long");
    const zigzag = (n: bigint) => (n >= 0n ? n << 1n : (-n << 1n) - 1n);
    const varint = (n: bigint) => {
      const out: number[] = [];
      for (; n > 0x7fn; n >>= 7n) out.push(Number(n & 0x7fn) | 0x80);
      return [...out, Number(n)];
    };
    for (const n of [0, -1, 1, 2 ** 30, -(2 ** 30) - 1, 2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 53 - 1, -(2 ** 53) + 1]) {
      const bytes = codec.encode(n);
      expect([...bytes]).toEqual(varint(zigzag(BigInt(n))));
      expect(codec.read(new AvroReader(bytes))).toBe(n);
    }
    expect(avro.Type.forSchema("long").fromBuffer(avro.Type.forSchema("long").toBuffer(-(2 ** 52) - 1))).toBe(2 ** 52);
    expect(() => codec.read(new AvroReader(codec.encode(2n ** 53n)))).toThrow(/beyond 2\^53/);
  });

  it.each<AvroCodec>(["null", "deflate"])("avsc decodes dotdo manifests and manifest lists (%s codec)", async (codec) => {
    const schema = buildSchema([{ name: "id", type: "long", required: true }, { name: "s", type: "string" }]);
    const file = dataFileOf(`${base}/d.parquet`, writeDataFile(schema, [{ id: 2n ** 60n, s: "å" }, { id: 1n, s: null }]));
    const manifest = await writeManifest({ path: `${base}/m.avro`, schema, snapshotId: 2 ** 52 - 1, sequenceNumber: 3, added: [file], codec });
    const decoded = await avscDecode(manifest.bytes);
    expect(decoded.codec).toBe(codec);
    expect(decoded.header["content"]?.toString()).toBe("data");
    expect(decoded.records).toHaveLength(1);
    expect(decoded.records[0]).toMatchObject({
      status: 1, snapshot_id: 2 ** 52 - 1, sequence_number: 3,
      data_file: { file_path: file.filePath, record_count: 2, null_value_counts: [{ key: 1, value: 0 }, { key: 2, value: 1 }] },
    });
    const list = await writeManifestList({ snapshotId: 2 ** 52 - 1, sequenceNumber: 3, manifests: [manifest.manifestFile], codec });
    expect((await avscDecode(list)).records[0]).toMatchObject({ manifest_path: `${base}/m.avro`, added_snapshot_id: 2 ** 52 - 1, added_rows_count: 2 });
  });

  it.each<AvroCodec>(["null", "deflate"])("dotdo reads a manifest list avsc wrote (%s codec)", async (codec) => {
    const record = {
      manifest_path: `${base}/m.avro`, manifest_length: 1234, partition_spec_id: 0, content: 0, sequence_number: 9, min_sequence_number: 2,
      added_snapshot_id: 77, added_files_count: 1, existing_files_count: 2, deleted_files_count: 0,
      added_rows_count: 10, existing_rows_count: 20, deleted_rows_count: 0,
    };
    const bytes = await avscEncode(MANIFEST_FILE_SCHEMA, [record, { ...record, manifest_path: `${base}/n.avro` }], codec, { "format-version": "2" });
    const list = await readManifestList(bytes, "list");
    expect(list.map((m) => m.path)).toEqual([`${base}/m.avro`, `${base}/n.avro`]);
    expect(list[0]).toMatchObject({ length: 1234, sequenceNumber: 9, minSequenceNumber: 2, addedSnapshotId: 77, existingFilesCount: 2, existingRowsCount: 20 });
  });

  it("property: avsc decodes the same manifest entries dotdo reads back", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.constantFrom<AvroCodec>("null", "deflate"), async ({ schema, rows }, codec) => {
        const file = dataFileOf(`${base}/p.parquet`, writeDataFile(schema, rows));
        const written = await writeManifest({ path: `${base}/m.avro`, schema, snapshotId: 4, sequenceNumber: 4, added: [file], codec });
        const ours = (await readManifest(written.bytes, written.manifestFile)).entries[0]?.dataFile;
        const theirs = (await avscDecode(written.bytes)).records[0] as { data_file: { lower_bounds: { key: number; value: Buffer }[] | null; value_counts: { key: number; value: number }[] } };
        for (const { key, value } of theirs.data_file.lower_bounds ?? []) {
          expect(new Uint8Array(value)).toEqual(ours?.columnStats.get(key)?.lowerBound);
        }
        for (const { key, value } of theirs.data_file.value_counts) expect(value).toBe(ours?.columnStats.get(key)?.valueCount);
      }),
      { numRuns: 40 },
    );
  });

  it("dotdo reads a manifest avsc wrote with entries left to inherit sequence numbers", async () => {
    const entry = {
      status: 1, snapshot_id: null, sequence_number: null, file_sequence_number: null,
      data_file: {
        content: 0, file_path: `${base}/d.parquet`, file_format: "PARQUET", partition: {}, record_count: 5, file_size_in_bytes: 100,
        column_sizes: null, value_counts: [{ key: 1, value: 5 }], null_value_counts: [{ key: 1, value: 0 }], nan_value_counts: null,
        lower_bounds: [{ key: 1, value: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]) }], upper_bounds: null,
      },
    };
    const bytes = await avscEncode(MANIFEST_ENTRY_SCHEMA, [entry], "deflate", { "format-version": "2", content: "data" });
    const list = { path: `${base}/m.avro`, sequenceNumber: 6, addedSnapshotId: 60 } as ManifestFile;
    const [read] = (await readManifest(bytes, list)).entries;
    expect(read).toMatchObject({ status: 1, snapshotId: 60, sequenceNumber: 6, fileSequenceNumber: 6 });
    expect(read?.dataFile.columnStats.get(1)).toEqual({ valueCount: 5, nullCount: 0, lowerBound: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) });
  });
});
