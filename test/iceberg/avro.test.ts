import fc from "fast-check";
import { avroMetadata, avroRead } from "icebird";
import { describe, expect, it } from "vitest";
import { encodeContainer } from "../../src/runtime/iceberg/avro/container";
import { MANIFEST_ENTRY_SCHEMA, MANIFEST_FILE_SCHEMA } from "../../src/runtime/iceberg/manifest-schemas";
import { tableArb } from "./arbitraries";
import {
  buildSchema,
  CorruptFileError,
  dataFileOf,
  EntryStatus,
  readManifest,
  readManifestList,
  writeDataFile,
  writeManifest,
  writeManifestList,
  type AvroCodec,
  type DataFile,
  type ManifestFile,
} from "./api";

const schema = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "name", type: "string" },
  { name: "score", type: "double" },
]);
const base = "s3://bucket/org/tenant/do/abc/snapshots/seq-1-x";

function dataFile(n: number): DataFile {
  const rows = Array.from({ length: n }, (_, i) => ({ id: BigInt(i) * 2n ** 40n, name: `n${i}`, score: i % 3 ? i / 3 : Number.NaN }));
  return dataFileOf(`${base}/data/users-${n}.parquet`, writeDataFile(schema, rows));
}

/** icebird's own Avro reader, an independent decoder of the container format. */
function icebirdRead(bytes: Uint8Array) {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const { metadata, syncMarker } = avroMetadata(reader);
  return { metadata: metadata as Record<string, unknown>, records: avroRead({ reader, metadata, syncMarker }) };
}

describe.each<AvroCodec>(["deflate", "null"])("manifests with the %s codec", (codec) => {
  it("round-trip entries with their metrics", async () => {
    const files = [dataFile(3), dataFile(5)];
    const written = await writeManifest({ path: `${base}/manifests/m1.avro`, schema, snapshotId: 42, sequenceNumber: 7, added: files, codec });
    const manifest = await readManifest(written.bytes, written.manifestFile);
    expect(manifest.entries).toEqual(
      files.map((dataFile) => ({ status: EntryStatus.ADDED, snapshotId: 42, sequenceNumber: 7, fileSequenceNumber: 7, dataFile })),
    );
    expect(manifest.schema).toMatchObject({ "schema-id": 0, fields: [{ id: 1, name: "id" }, { id: 2 }, { id: 3 }] });
    expect(written.manifestFile).toEqual({
      path: `${base}/manifests/m1.avro`,
      length: written.bytes.length,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 7,
      minSequenceNumber: 7,
      addedSnapshotId: 42,
      addedFilesCount: 2,
      existingFilesCount: 0,
      deletedFilesCount: 0,
      addedRowsCount: 8,
      existingRowsCount: 0,
      deletedRowsCount: 0,
    });
  });

  it("carry the Iceberg header keys and field ids, readable by icebird", async () => {
    const file = dataFile(2);
    const { bytes } = await writeManifest({ path: `${base}/manifests/m.avro`, schema, snapshotId: 9, sequenceNumber: 2, added: [file], codec });
    const { metadata, records } = icebirdRead(bytes);
    expect(metadata).toMatchObject({
      "avro.codec": codec,
      "schema-id": "0",
      "partition-spec": "[]",
      "partition-spec-id": "0",
      "format-version": "2",
      content: "data",
      schema: { type: "struct", "schema-id": 0 },
    });
    const avroSchema = metadata["avro.schema"] as typeof MANIFEST_ENTRY_SCHEMA;
    const ids = (fields: { name: string; "field-id": number }[]) => Object.fromEntries(fields.map((f) => [f.name, f["field-id"]]));
    expect(ids(avroSchema.fields)).toEqual({ status: 0, snapshot_id: 1, sequence_number: 3, file_sequence_number: 4, data_file: 2 });
    const dataFileFields = (avroSchema.fields[4]?.type as { fields: { name: string; "field-id": number }[] }).fields;
    expect(ids(dataFileFields)).toEqual({
      content: 134, file_path: 100, file_format: 101, partition: 102, record_count: 103, file_size_in_bytes: 104,
      column_sizes: 108, value_counts: 109, null_value_counts: 110, nan_value_counts: 137, lower_bounds: 125, upper_bounds: 128,
    });
    expect(records).toHaveLength(1);
    const entry = records[0] as { status: number; snapshot_id: bigint; data_file: Record<string, unknown> };
    expect(entry.status).toBe(1);
    expect(entry.snapshot_id).toBe(9n);
    expect(entry.data_file).toMatchObject({ content: 0, file_path: file.filePath, file_format: "PARQUET", record_count: 2n, partition: {} });
    expect(entry.data_file["lower_bounds"]).toContainEqual({ key: 1, value: file.columnStats.get(1)?.lowerBound });
    expect(entry.data_file["nan_value_counts"]).toEqual([{ key: 3, value: 1n }]);
  });

  it("manifest lists round-trip and are readable by icebird", async () => {
    const m1 = (await writeManifest({ path: `${base}/manifests/a.avro`, schema, snapshotId: 1, sequenceNumber: 1, added: [dataFile(1)], codec })).manifestFile;
    const m2 = (await writeManifest({ path: `${base}/manifests/b.avro`, schema, snapshotId: 2, sequenceNumber: 2, added: [dataFile(4)], codec })).manifestFile;
    const bytes = await writeManifestList({ snapshotId: 2, parentSnapshotId: 1, sequenceNumber: 2, manifests: [m2, m1], codec });
    expect(await readManifestList(bytes, "s3://b/list.avro")).toEqual([m2, m1]);
    const { metadata, records } = icebirdRead(bytes);
    expect(metadata).toMatchObject({ "snapshot-id": "2", "parent-snapshot-id": "1", "sequence-number": "2", "format-version": "2" });
    const fieldIds = (metadata["avro.schema"] as { fields: { "field-id": number }[] }).fields.map((f) => f["field-id"]);
    expect(fieldIds).toEqual([500, 501, 502, 517, 515, 516, 503, 504, 505, 506, 512, 513, 514]);
    expect(records[1]).toMatchObject({ manifest_path: m1.path, added_snapshot_id: 1n, sequence_number: 1n, added_files_count: 1, added_rows_count: 1n });
  });
});

describe("manifest entries", () => {
  it("keep existing entries' numbers and mark deleted ones with the deleting snapshot", async () => {
    const first = await writeManifest({ path: `${base}/manifests/1.avro`, schema, snapshotId: 10, sequenceNumber: 1, added: [dataFile(2), dataFile(3)] });
    const [keep, drop] = (await readManifest(first.bytes, first.manifestFile)).entries as [never, never];
    const second = await writeManifest({
      path: `${base}/manifests/2.avro`, schema, snapshotId: 20, sequenceNumber: 2, added: [dataFile(6)], existing: [keep], deleted: [drop],
    });
    const entries = (await readManifest(second.bytes, second.manifestFile)).entries;
    expect(entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.dataFile.recordCount])).toEqual([
      [EntryStatus.ADDED, 20, 2, 6],
      [EntryStatus.EXISTING, 10, 1, 2],
      [EntryStatus.DELETED, 20, 1, 3],
    ]);
    expect(second.manifestFile).toMatchObject({
      minSequenceNumber: 1, addedFilesCount: 1, existingFilesCount: 1, deletedFilesCount: 1, addedRowsCount: 6, existingRowsCount: 2, deletedRowsCount: 3,
    });
  });

  it("inherit null sequence numbers and snapshot ids from the manifest list, as the spec says", async () => {
    // Java writers leave these null on added entries; build such a file at the container level.
    const bytes = await encodeContainer({
      schema: MANIFEST_ENTRY_SCHEMA,
      codec: "null",
      metadata: { "format-version": "2", content: "data" },
      records: [{ status: 1, snapshot_id: null, sequence_number: null, file_sequence_number: null, data_file: {
        content: 0, file_path: `${base}/d.parquet`, file_format: "PARQUET", partition: {}, record_count: 1, file_size_in_bytes: 10,
        column_sizes: null, value_counts: null, null_value_counts: null, nan_value_counts: null, lower_bounds: null, upper_bounds: null,
      } }],
    });
    const list = { path: `${base}/m.avro`, sequenceNumber: 5, addedSnapshotId: 77 } as ManifestFile;
    const [entry] = (await readManifest(bytes, list)).entries;
    expect(entry).toMatchObject({ snapshotId: 77, sequenceNumber: 5, fileSequenceNumber: 5 });
  });

  it("property: random data files' metrics survive the manifest", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.constantFrom<AvroCodec>("null", "deflate"), async ({ schema: s, rows }, codec) => {
        const file = dataFileOf(`${base}/data/p.parquet`, writeDataFile(s, rows));
        const written = await writeManifest({ path: `${base}/m.avro`, schema: s, snapshotId: 3, sequenceNumber: 3, added: [file], codec });
        expect((await readManifest(written.bytes, written.manifestFile)).entries[0]?.dataFile).toEqual(file);
      }),
      { numRuns: 60 },
    );
  });

  it("refuse locations that are not fully qualified", async () => {
    await expect(writeManifest({ path: "manifests/m.avro", schema, snapshotId: 1, sequenceNumber: 1 })).rejects.toThrow(/fully qualified/);
    const relative = { ...dataFile(1), filePath: "/abs/but/no/scheme.parquet" };
    await expect(writeManifest({ path: `${base}/m.avro`, schema, snapshotId: 1, sequenceNumber: 1, added: [relative] })).rejects.toThrow(
      /data file location/,
    );
  });
});

describe("corrupt Avro", () => {
  const path = "s3://bucket/t/metadata/snap-1.avro";
  const list = async (codec: AvroCodec) => writeManifestList({ snapshotId: 1, sequenceNumber: 1, codec, manifests: [
    (await writeManifest({ path: `${base}/m.avro`, schema, snapshotId: 1, sequenceNumber: 1, added: [dataFile(2)] })).manifestFile,
  ] });

  const cases: [string, (good: Uint8Array) => Uint8Array][] = [
    ["garbage", () => new TextEncoder().encode("this is not avro at all")],
    ["empty", () => new Uint8Array()],
    ["truncated", (good) => good.subarray(0, good.length - 20)],
    ["a damaged sync marker", (good) => { const b = good.slice(); b[b.length - 1] = (b[b.length - 1] as number) ^ 0xff; return b; }],
    ["damaged block data", (good) => { const b = good.slice(); b.fill(0xff, b.length - 40, b.length - 20); return b; }],
    ["a damaged header", (good) => { const b = good.slice(); b.fill(0x7f, 5, 60); return b; }],
  ];

  const withCodecs = cases.flatMap(([name, damage]) => (["null", "deflate"] as const).map((codec) => [name, codec, damage] as const));

  it.each(withCodecs)("%s (%s codec): typed error naming the file", async (_, codec, damage) => {
    const read = readManifestList(damage(await list(codec)), path);
    await expect(read).rejects.toBeInstanceOf(CorruptFileError);
    await expect(read).rejects.toMatchObject({ code: "CORRUPT_SNAPSHOT_FILE", path });
  });

  it("a record missing a required field names the file and the field", async () => {
    const schema = { ...MANIFEST_FILE_SCHEMA, fields: MANIFEST_FILE_SCHEMA.fields.filter((f) => f.name !== "manifest_length") };
    const bytes = await encodeContainer({ schema, codec: "null", metadata: {}, records: [{
      manifest_path: `${base}/m.avro`, partition_spec_id: 0, content: 0, sequence_number: 1, min_sequence_number: 1, added_snapshot_id: 1,
      added_files_count: 1, existing_files_count: 0, deleted_files_count: 0, added_rows_count: 1, existing_rows_count: 0, deleted_rows_count: 0,
    }] });
    await expect(readManifestList(bytes, path)).rejects.toMatchObject({ path, field: "manifest_file[0].manifest_length" });
  });

  it("a manifest read with a manifest list's record names the manifest's path", async () => {
    const manifest = { path: `${base}/manifests/broken.avro` } as ManifestFile;
    await expect(readManifest(new Uint8Array([1, 2, 3]), manifest)).rejects.toMatchObject({ path: manifest.path });
  });
});
