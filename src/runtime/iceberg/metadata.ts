import { InvalidIcebergInputError } from "./errors";
import { assertLocation } from "./locations";
import type { ManifestFile } from "./manifest-list";
import type { SnapshotJson, SnapshotOperation, TableMetadata } from "./metadata-types";
import { sameFields, schemaFromJson, schemaToJson, type Schema } from "./schema";

export interface NewTableOptions {
  /** Fully qualified table location, e.g. `s3://bucket/prefix/tables/users`. */
  readonly location: string;
  readonly schema: Schema;
  /** Keep the table's uuid for its whole life; a new one is drawn when absent. */
  readonly tableUuid?: string;
  readonly properties?: Readonly<Record<string, string>>;
  readonly timestampMs?: number;
}

/** Metadata for a table with no snapshot yet (unpartitioned, unsorted). */
export function createTableMetadata(options: NewTableOptions): TableMetadata {
  assertLocation(options.location, "table location");
  return {
    "format-version": 2,
    "table-uuid": options.tableUuid ?? crypto.randomUUID(),
    location: options.location,
    "last-sequence-number": 0,
    "last-updated-ms": options.timestampMs ?? Date.now(),
    "last-column-id": options.schema.lastColumnId,
    schemas: [schemaToJson(options.schema)],
    "current-schema-id": options.schema.schemaId,
    "partition-specs": [{ "spec-id": 0, fields: [] }],
    "default-spec-id": 0,
    // Spec: partition field ids start at 1000, so an unpartitioned table's last id is 999.
    "last-partition-id": 999,
    "sort-orders": [{ "order-id": 0, fields: [] }],
    "default-sort-order-id": 0,
    properties: { ...options.properties },
    snapshots: [],
    "snapshot-log": [],
    "metadata-log": [],
    refs: {},
  };
}

/**
 * Snapshot ids are drawn below 2^52: JS readers parse them with `JSON.parse` (exact below 2^53)
 * and avsc refuses Avro longs above 2^53 - 2.
 */
const SNAPSHOT_ID_LIMIT = 2 ** 52;

/** A random positive snapshot id below 2^52. */
export function newSnapshotId(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2)) as unknown as [number, number];
  return ((hi & 0xfffff) * 2 ** 32 + lo) % (SNAPSHOT_ID_LIMIT - 1) + 1;
}

export function nextSequenceNumber(metadata: TableMetadata): number {
  return metadata["last-sequence-number"] + 1;
}

/** The current schema with its `lastColumnId` taken from the table. */
export function currentSchema(metadata: TableMetadata): Schema {
  const json = metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"]);
  if (json === undefined) throw new InvalidIcebergInputError(`table has no schema ${metadata["current-schema-id"]}`);
  return schemaFromJson(json, metadata["last-column-id"]);
}

export function currentSnapshot(metadata: TableMetadata): SnapshotJson | undefined {
  const id = metadata["current-snapshot-id"];
  return metadata.snapshots.find((s) => s["snapshot-id"] === id);
}

export interface SnapshotInput {
  /** From {@link newSnapshotId}; the manifests and manifest list were written with it. */
  readonly snapshotId: number;
  /** Must be {@link nextSequenceNumber} of `metadata`. */
  readonly sequenceNumber: number;
  readonly operation: SnapshotOperation;
  /** Fully qualified location of the manifest list. */
  readonly manifestList: string;
  /** Every manifest in the manifest list, new and reused: the summary is computed from them. */
  readonly manifests: readonly ManifestFile[];
  /** The schema the new files were written with; becomes current (added if new). */
  readonly schema?: Schema;
  readonly timestampMs?: number;
  /** Location of the metadata file `metadata` was read from or written to, for `metadata-log`. */
  readonly previousMetadataLocation?: string;
}

/** Returns new metadata whose current snapshot (and `main` branch) is the one described. */
export function addSnapshot(metadata: TableMetadata, input: SnapshotInput): TableMetadata {
  const id = input.snapshotId;
  if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidIcebergInputError(`snapshot id ${id} must be a positive integer below 2^53`);
  if (metadata.snapshots.some((s) => s["snapshot-id"] === id)) throw new InvalidIcebergInputError(`snapshot id ${id} already exists`);
  if (input.sequenceNumber !== nextSequenceNumber(metadata)) {
    throw new InvalidIcebergInputError(`sequence number ${input.sequenceNumber} must be ${nextSequenceNumber(metadata)}`);
  }
  assertLocation(input.manifestList, "manifest list location");
  for (const m of input.manifests) assertLocation(m.path, "manifest location");
  if (input.previousMetadataLocation !== undefined) assertLocation(input.previousMetadataLocation, "previous metadata location");

  const withSchema = input.schema === undefined ? metadata : useSchema(metadata, input.schema);
  const parent = currentSnapshot(metadata);
  const timestampMs = Math.max(input.timestampMs ?? Date.now(), metadata["last-updated-ms"]);
  const snapshot: SnapshotJson = {
    "snapshot-id": id,
    ...(parent === undefined ? {} : { "parent-snapshot-id": parent["snapshot-id"] }),
    "sequence-number": input.sequenceNumber,
    "timestamp-ms": timestampMs,
    "manifest-list": input.manifestList,
    summary: summarize(input, parent),
    "schema-id": withSchema["current-schema-id"],
  };
  return {
    ...withSchema,
    "last-sequence-number": input.sequenceNumber,
    "last-updated-ms": timestampMs,
    "current-snapshot-id": id,
    snapshots: [...metadata.snapshots, snapshot],
    "snapshot-log": [...metadata["snapshot-log"], { "timestamp-ms": timestampMs, "snapshot-id": id }],
    "metadata-log":
      input.previousMetadataLocation === undefined
        ? metadata["metadata-log"]
        : [...metadata["metadata-log"], { "timestamp-ms": metadata["last-updated-ms"], "metadata-file": input.previousMetadataLocation }],
    refs: { ...metadata.refs, main: { "snapshot-id": id, type: "branch" } },
  };
}

function useSchema(metadata: TableMetadata, schema: Schema): TableMetadata {
  const known = metadata.schemas.find((s) => s["schema-id"] === schema.schemaId);
  const json = schemaToJson(schema);
  if (known !== undefined && !sameFields(schemaFromJson(known, 0).fields, schema.fields)) {
    throw new InvalidIcebergInputError(`schema id ${schema.schemaId} already names a different schema`);
  }
  return {
    ...metadata,
    schemas: known === undefined ? [...metadata.schemas, json] : metadata.schemas,
    "current-schema-id": schema.schemaId,
    "last-column-id": Math.max(metadata["last-column-id"], schema.lastColumnId),
  };
}

/** Java-compatible summary keys; totals come from the manifests the snapshot lists. */
function summarize(input: SnapshotInput, parent: SnapshotJson | undefined): SnapshotJson["summary"] {
  const sum = (pick: (m: ManifestFile) => number) => input.manifests.reduce((n, m) => n + pick(m), 0);
  const own = input.manifests.filter((m) => m.addedSnapshotId === input.snapshotId);
  const addedFiles = own.reduce((n, m) => n + m.addedFilesCount, 0);
  const addedRecords = own.reduce((n, m) => n + m.addedRowsCount, 0);
  const totalFiles = sum((m) => m.addedFilesCount + m.existingFilesCount);
  const totalRecords = sum((m) => m.addedRowsCount + m.existingRowsCount);
  // Files of the parent that this snapshot no longer lists were removed by it.
  const parentFiles = Number(parent?.summary["total-data-files"] ?? 0);
  const parentRecords = Number(parent?.summary["total-records"] ?? 0);
  const deletedFiles = Math.max(0, parentFiles + addedFiles - totalFiles);
  const deletedRecords = Math.max(0, parentRecords + addedRecords - totalRecords);
  return {
    operation: input.operation,
    "added-data-files": String(addedFiles),
    "added-records": String(addedRecords),
    ...(deletedFiles > 0 ? { "deleted-data-files": String(deletedFiles), "deleted-records": String(deletedRecords) } : {}),
    "total-data-files": String(totalFiles),
    "total-records": String(totalRecords),
    "total-delete-files": "0",
    "total-position-deletes": "0",
    "total-equality-deletes": "0",
  };
}

/**
 * Drops snapshots (expiry). The current snapshot cannot be removed. Which files became
 * unreferenced is for the caller to work out from the manifests that remain.
 */
export function removeSnapshots(metadata: TableMetadata, snapshotIds: readonly number[]): TableMetadata {
  const drop = new Set(snapshotIds);
  if (metadata["current-snapshot-id"] !== undefined && drop.has(metadata["current-snapshot-id"])) {
    throw new InvalidIcebergInputError(`snapshot ${metadata["current-snapshot-id"]} is current and cannot be removed`);
  }
  const refs = Object.fromEntries(Object.entries(metadata.refs).filter(([, ref]) => !drop.has(ref["snapshot-id"])));
  return {
    ...metadata,
    snapshots: metadata.snapshots.filter((s) => !drop.has(s["snapshot-id"])),
    "snapshot-log": metadata["snapshot-log"].filter((e) => !drop.has(e["snapshot-id"])),
    refs,
  };
}

/** The bytes to store as `v{N}.metadata.json`. */
export function serializeTableMetadata(metadata: TableMetadata): string {
  return JSON.stringify(metadata, null, 2);
}
