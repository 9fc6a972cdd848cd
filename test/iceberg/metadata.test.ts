import { describe, expect, it } from "vitest";
import {
  addSnapshot,
  buildSchema,
  canReuseFiles,
  CorruptFileError,
  createTableMetadata,
  currentSchema,
  InvalidIcebergInputError,
  metadataFileName,
  newSnapshotId,
  nextSequenceNumber,
  parseTableMetadata,
  parseVersionHint,
  removeSnapshots,
  serializeTableMetadata,
  versionHintText,
  type ManifestFile,
  type TableMetadata,
} from "./api";

const location = "s3://bucket/prefix/org/tenant/do/abc/tables/users";
const schema = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "name", type: "string" },
]);

function manifest(snapshotId: number, sequenceNumber: number, files: number, rows: number): ManifestFile {
  return {
    path: `${location}/metadata/m-${snapshotId}.avro`,
    length: 100,
    partitionSpecId: 0,
    content: 0,
    sequenceNumber,
    minSequenceNumber: sequenceNumber,
    addedSnapshotId: snapshotId,
    addedFilesCount: files,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: rows,
    existingRowsCount: 0,
    deletedRowsCount: 0,
  };
}

/** Two snapshots: an append of 2 files, then an overwrite that keeps none of them. */
function twoSnapshots(): TableMetadata {
  const empty = createTableMetadata({ location, schema, tableUuid: "6f1c1bd0-5b5c-4b5e-9a43-3c0b1c0e8f11", timestampMs: 1000 });
  const m1 = manifest(11, 1, 2, 30);
  const one = addSnapshot(empty, {
    snapshotId: 11, sequenceNumber: 1, operation: "append", manifestList: `${location}/metadata/snap-11.avro`, manifests: [m1], timestampMs: 2000,
  });
  const wider = buildSchema([...schema.fields, { name: "email", type: "string" }], schema);
  return addSnapshot(one, {
    snapshotId: 22, sequenceNumber: 2, operation: "overwrite", manifestList: `${location}/metadata/snap-22.avro`,
    manifests: [manifest(22, 2, 1, 5)], schema: wider, timestampMs: 3000, previousMetadataLocation: `${location}/metadata/v1.metadata.json`,
  });
}

describe("table metadata builder", () => {
  it("writes every required V2 field for a new table", () => {
    const m = createTableMetadata({ location, schema, timestampMs: 5 });
    expect(m).toMatchObject({
      "format-version": 2, location, "last-sequence-number": 0, "last-updated-ms": 5, "last-column-id": 2,
      "current-schema-id": 0, "partition-specs": [{ "spec-id": 0, fields: [] }], "default-spec-id": 0, "last-partition-id": 999,
      "sort-orders": [{ "order-id": 0, fields: [] }], "default-sort-order-id": 0, snapshots: [], refs: {},
    });
    expect(m["table-uuid"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m).not.toHaveProperty("schema");
    expect(m).not.toHaveProperty("partition-spec");
    expect(m).not.toHaveProperty("current-snapshot-id");
  });

  it("adds snapshots with summaries, logs, refs.main and the evolved schema", () => {
    const m = twoSnapshots();
    expect(m["table-uuid"]).toBe("6f1c1bd0-5b5c-4b5e-9a43-3c0b1c0e8f11");
    expect(m["current-snapshot-id"]).toBe(22);
    expect(m.refs).toEqual({ main: { "snapshot-id": 22, type: "branch" } });
    expect(m["last-sequence-number"]).toBe(2);
    expect(m["last-updated-ms"]).toBe(3000);
    expect(m["last-column-id"]).toBe(3);
    expect(m.schemas.map((s) => s["schema-id"])).toEqual([0, 1]);
    expect(m["current-schema-id"]).toBe(1);
    expect(m["snapshot-log"]).toEqual([{ "timestamp-ms": 2000, "snapshot-id": 11 }, { "timestamp-ms": 3000, "snapshot-id": 22 }]);
    expect(m["metadata-log"]).toEqual([{ "timestamp-ms": 2000, "metadata-file": `${location}/metadata/v1.metadata.json` }]);
    const [first, second] = m.snapshots;
    expect(first).toMatchObject({ "sequence-number": 1, "schema-id": 0, summary: { operation: "append", "added-data-files": "2", "added-records": "30", "total-data-files": "2", "total-records": "30" } });
    expect(first).not.toHaveProperty("parent-snapshot-id");
    expect(second).toMatchObject({
      "parent-snapshot-id": 11, "schema-id": 1,
      summary: { operation: "overwrite", "added-data-files": "1", "deleted-data-files": "2", "deleted-records": "30", "total-data-files": "1", "total-records": "5" },
    });
  });

  it("counts reused manifests in the totals but not as added", () => {
    const empty = createTableMetadata({ location, schema });
    const m1 = manifest(1, 1, 3, 300);
    const one = addSnapshot(empty, { snapshotId: 1, sequenceNumber: 1, operation: "append", manifestList: `${location}/l1.avro`, manifests: [m1] });
    const two = addSnapshot(one, { snapshotId: 2, sequenceNumber: 2, operation: "append", manifestList: `${location}/l2.avro`, manifests: [manifest(2, 2, 1, 1), m1] });
    expect(two.snapshots[1]?.summary).toMatchObject({ "added-data-files": "1", "added-records": "1", "total-data-files": "4", "total-records": "301" });
    expect(two.snapshots[1]?.summary).not.toHaveProperty("deleted-data-files");
  });

  it("refuses wrong sequence numbers, duplicate or unsafe snapshot ids and relative locations", () => {
    const m = twoSnapshots();
    const input = { snapshotId: 33, sequenceNumber: nextSequenceNumber(m), operation: "append" as const, manifestList: `${location}/l.avro`, manifests: [] };
    expect(() => addSnapshot(m, { ...input, sequenceNumber: 2 })).toThrow(/sequence number 2 must be 3/);
    expect(() => addSnapshot(m, { ...input, snapshotId: 22 })).toThrow(/already exists/);
    expect(() => addSnapshot(m, { ...input, snapshotId: 2 ** 53 })).toThrow(InvalidIcebergInputError);
    expect(() => addSnapshot(m, { ...input, manifestList: "metadata/l.avro" })).toThrow(/fully qualified/);
    expect(() => createTableMetadata({ location: "file://relative/path", schema })).toThrow(/fully qualified/);
    expect(() => createTableMetadata({ location: "/abs/path", schema })).toThrow(/fully qualified/);
    expect(createTableMetadata({ location: "file:///abs/path", schema }).location).toBe("file:///abs/path");
  });

  it("draws positive snapshot ids below 2^52", () => {
    for (let i = 0; i < 1000; i++) {
      const id = newSnapshotId();
      expect(Number.isInteger(id) && id > 0 && id < 2 ** 52).toBe(true);
    }
  });

  it("removes expired snapshots but never the current one", () => {
    const m = removeSnapshots(twoSnapshots(), [11]);
    expect(m.snapshots.map((s) => s["snapshot-id"])).toEqual([22]);
    expect(m["snapshot-log"].map((s) => s["snapshot-id"])).toEqual([22]);
    expect(() => removeSnapshots(m, [22])).toThrow(/is current/);
  });

  it("keeps field ids stable across schema evolution and never reuses them", () => {
    const v1 = buildSchema([{ name: "a", type: "long" }, { name: "b", type: "string" }]);
    const v2 = buildSchema([{ name: "b", type: "string" }, { name: "c", type: "double" }, { name: "a", type: "long" }], v1);
    expect(v2.fields.map((f) => [f.name, f.id])).toEqual([["b", 2], ["c", 3], ["a", 1]]);
    expect(v2.schemaId).toBe(1);
    const v3 = buildSchema([{ name: "a", type: "string" }], v2);
    expect(v3.fields[0]?.id).toBe(4); // a type change is a new column
    expect(v3.lastColumnId).toBe(4);
    expect(buildSchema([{ name: "b", type: "string" }, { name: "c", type: "double" }, { name: "a", type: "long" }], v2)).toEqual(v2);
    expect(() => buildSchema([{ name: "x", type: "long" }, { name: "x", type: "long" }])).toThrow(/duplicate column/);
  });

  it("says when old files cannot stay under a new schema", () => {
    const v1 = buildSchema([{ name: "a", type: "long", required: true }, { name: "b", type: "string" }]);
    expect(canReuseFiles(v1, buildSchema([{ name: "a", type: "long", required: true }, { name: "c", type: "double" }], v1))).toBe(true);
    expect(canReuseFiles(v1, buildSchema([{ name: "a", type: "long" }], v1))).toBe(true);
    expect(canReuseFiles(v1, buildSchema([{ name: "a", type: "long", required: true }, { name: "d", type: "long", required: true }], v1))).toBe(false);
    expect(canReuseFiles(v1, buildSchema([{ name: "a", type: "string", required: true }], v1))).toBe(false);
  });
});

describe("metadata files", () => {
  it("serialize and parse back to the same metadata", () => {
    const m = twoSnapshots();
    const parsed = parseTableMetadata(serializeTableMetadata(m), "v2.metadata.json");
    expect(parsed).toEqual(m);
    expect(currentSchema(parsed).fields.map((f) => f.name)).toEqual(["id", "name", "email"]);
    expect(currentSchema(parsed).lastColumnId).toBe(3);
  });

  it("accept -1 for no current snapshot, as older writers put it", () => {
    const m = { ...createTableMetadata({ location, schema }), "current-snapshot-id": -1 };
    expect(parseTableMetadata(JSON.stringify(m), "p")).not.toHaveProperty("current-snapshot-id");
  });

  const path = `${location}/metadata/v2.metadata.json`;
  const damaged: [string, (m: Record<string, unknown>) => unknown, RegExp][] = [
    ["a missing table-uuid", (m) => ({ ...m, "table-uuid": undefined }), /table-uuid is missing/],
    ["a wrong format version", (m) => ({ ...m, "format-version": 1 }), /format-version is 1, expected 2/],
    ["no schemas", (m) => ({ ...m, schemas: undefined }), /schemas is missing or not an array/],
    ["a field without a type", (m) => ({ ...m, schemas: [{ "schema-id": 0, type: "struct", fields: [{ id: 1, name: "a", required: true }] }], "current-schema-id": 0 }), /schemas\[0\]\.fields\[0\]\.type/],
    ["an unknown current schema", (m) => ({ ...m, "current-schema-id": 9 }), /current-schema-id names no schema/],
    ["a snapshot without manifest list", (m) => ({ ...m, snapshots: [{ ...(m["snapshots"] as object[])[0], "manifest-list": undefined }] }), /snapshots\[0\]\.manifest-list/],
    ["a dangling current snapshot", (m) => ({ ...m, "current-snapshot-id": 99 }), /current-snapshot-id snapshot 99 is not in snapshots/],
    ["a non-object document", () => [1, 2], /\(root\) is missing or not an object/],
  ];

  it.each(damaged)("name the file and field for %s", (_, damage, message) => {
    const text = JSON.stringify(damage(JSON.parse(serializeTableMetadata(twoSnapshots())) as Record<string, unknown>));
    expect(() => parseTableMetadata(text, path)).toThrow(CorruptFileError);
    expect(() => parseTableMetadata(text, path)).toThrow(message);
    expect(() => parseTableMetadata(text, path)).toThrow(expect.objectContaining({ path, code: "CORRUPT_SNAPSHOT_FILE" }));
  });

  it("name the file for JSON that does not parse", () => {
    const text = serializeTableMetadata(twoSnapshots()).slice(0, 200);
    expect(() => parseTableMetadata(text, path)).toThrow(expect.objectContaining({ path, code: "CORRUPT_SNAPSHOT_FILE", message: expect.stringMatching(/not valid JSON/) }));
  });

  it("write the version hint as a bare integer and read it back strictly", () => {
    expect(versionHintText(12)).toBe("12");
    expect(metadataFileName(12)).toBe("v12.metadata.json");
    expect(parseVersionHint("12", "hint")).toBe(12);
    expect(parseVersionHint("12\n", "hint")).toBe(12);
    expect(() => parseVersionHint("v12", `${location}/metadata/version-hint.text`)).toThrow(
      expect.objectContaining({ code: "CORRUPT_SNAPSHOT_FILE", path: `${location}/metadata/version-hint.text` }),
    );
  });
});
