import { decodeContainer, DEFAULT_CODEC, encodeContainer, type AvroCodec } from "./avro/container";
import { FieldReader } from "./avro/fields";
import { assertLocation } from "./locations";
import type { DataFile } from "./data-file";
import { CorruptFileError } from "./errors";
import type { ManifestFile } from "./manifest-list";
import { MANIFEST_ENTRY_SCHEMA } from "./manifest-schemas";
import { schemaToJson, type Schema, type SchemaJson } from "./schema";
import type { ColumnStats } from "./stats";

export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
export type EntryStatus = (typeof EntryStatus)[keyof typeof EntryStatus];

/** One `manifest_entry`, with sequence numbers already inherited from the manifest list. */
export interface ManifestEntry {
  readonly status: EntryStatus;
  readonly snapshotId: number;
  readonly sequenceNumber: number;
  readonly fileSequenceNumber: number;
  readonly dataFile: DataFile;
}

export interface ManifestInput {
  /** Fully qualified location the caller will store the manifest at. */
  readonly path: string;
  readonly schema: Schema;
  readonly snapshotId: number;
  readonly sequenceNumber: number;
  /** Files this snapshot adds. */
  readonly added?: readonly DataFile[];
  /** Entries of earlier snapshots kept in this manifest; they keep their own numbers. */
  readonly existing?: readonly ManifestEntry[];
  /** Entries of earlier snapshots this snapshot removes. */
  readonly deleted?: readonly ManifestEntry[];
  readonly codec?: AvroCodec;
}

export interface WrittenManifest {
  readonly bytes: Uint8Array;
  /** The record to put in a manifest list (this snapshot's, and later ones' that reuse it). */
  readonly manifestFile: ManifestFile;
}

/** The only partition spec dotdo writes: unpartitioned, id 0. */
export const PARTITION_SPEC_ID = 0;

export async function writeManifest(input: ManifestInput): Promise<WrittenManifest> {
  assertLocation(input.path, "manifest location");
  for (const file of input.added ?? []) assertLocation(file.filePath, "data file location");
  const added: ManifestEntry[] = (input.added ?? []).map((dataFile) => ({
    status: EntryStatus.ADDED,
    snapshotId: input.snapshotId,
    sequenceNumber: input.sequenceNumber,
    fileSequenceNumber: input.sequenceNumber,
    dataFile,
  }));
  const existing = (input.existing ?? []).map((e) => ({ ...e, status: EntryStatus.EXISTING }));
  const deleted = (input.deleted ?? []).map((e) => ({ ...e, status: EntryStatus.DELETED, snapshotId: input.snapshotId }));
  const entries = [...added, ...existing, ...deleted];
  const bytes = await encodeContainer({
    schema: MANIFEST_ENTRY_SCHEMA,
    codec: input.codec ?? DEFAULT_CODEC,
    metadata: {
      schema: JSON.stringify(schemaToJson(input.schema)),
      "schema-id": String(input.schema.schemaId),
      "partition-spec": "[]",
      "partition-spec-id": String(PARTITION_SPEC_ID),
      "format-version": "2",
      content: "data",
    },
    records: entries.map(entryRecord),
  });
  const rows = (list: readonly ManifestEntry[]) => list.reduce((n, e) => n + e.dataFile.recordCount, 0);
  const live = [...added, ...existing];
  return {
    bytes,
    manifestFile: {
      path: input.path,
      length: bytes.length,
      partitionSpecId: PARTITION_SPEC_ID,
      content: 0,
      sequenceNumber: input.sequenceNumber,
      minSequenceNumber: Math.min(input.sequenceNumber, ...live.map((e) => e.sequenceNumber)),
      addedSnapshotId: input.snapshotId,
      addedFilesCount: added.length,
      existingFilesCount: existing.length,
      deletedFilesCount: deleted.length,
      addedRowsCount: rows(added),
      existingRowsCount: rows(existing),
      deletedRowsCount: rows(deleted),
    },
  };
}

function entryRecord(entry: ManifestEntry): Record<string, unknown> {
  const stats = [...entry.dataFile.columnStats];
  const map = (pick: (s: ColumnStats) => number | Uint8Array | undefined) => {
    const items = stats.flatMap(([key, s]) => {
      const value = pick(s);
      return value === undefined ? [] : [{ key, value }];
    });
    return items.length === 0 ? null : items;
  };
  return {
    status: entry.status,
    snapshot_id: entry.snapshotId,
    sequence_number: entry.sequenceNumber,
    file_sequence_number: entry.fileSequenceNumber,
    data_file: {
      content: 0,
      file_path: entry.dataFile.filePath,
      file_format: entry.dataFile.fileFormat,
      partition: {},
      record_count: entry.dataFile.recordCount,
      file_size_in_bytes: entry.dataFile.fileSizeInBytes,
      column_sizes: map((s) => s.columnSize),
      value_counts: map((s) => s.valueCount),
      null_value_counts: map((s) => s.nullCount),
      nan_value_counts: map((s) => s.nanCount),
      lower_bounds: map((s) => s.lowerBound),
      upper_bounds: map((s) => s.upperBound),
    },
  };
}

export interface Manifest {
  /** The table schema the manifest was written with (header key `schema`), when present. */
  readonly schema?: SchemaJson;
  readonly partitionSpecId: number;
  readonly entries: readonly ManifestEntry[];
}

/**
 * Reads the manifest that `manifestFile` (from a manifest list) points to. Entries that leave
 * their snapshot id or sequence numbers null inherit them from `manifestFile`, as the spec says.
 */
export async function readManifest(bytes: Uint8Array, manifestFile: ManifestFile): Promise<Manifest> {
  const path = manifestFile.path;
  const { metadata, records } = await decodeContainer(bytes, path);
  const header = (key: string) => metadata[key];
  if (header("format-version") !== undefined && header("format-version") !== "2") {
    throw new CorruptFileError(path, `format-version ${header("format-version")} is not 2`);
  }
  if ((header("content") ?? "data") !== "data") throw new CorruptFileError(path, "lists delete files, which dotdo does not read");
  let schema: SchemaJson | undefined;
  try {
    schema = header("schema") === undefined ? undefined : (JSON.parse(header("schema") as string) as SchemaJson);
  } catch (error) {
    throw new CorruptFileError(path, "header key schema is not JSON", { cause: error });
  }
  const entries = records.map((record, i): ManifestEntry => {
    const r = new FieldReader(path, record as Record<string, unknown>, `manifest_entry[${i}]`);
    const status = r.number("status");
    if (status !== 0 && status !== 1 && status !== 2) throw new CorruptFileError(path, `manifest_entry[${i}].status is ${status}`);
    const inherit = (value: number | undefined, inherited: number, name: string) => {
      if (value !== undefined) return value;
      if (status !== EntryStatus.ADDED) throw new CorruptFileError(path, `manifest_entry[${i}].${name} is null on a non-added entry`);
      return inherited;
    };
    const sequenceNumber = inherit(r.optionalNumber("sequence_number"), manifestFile.sequenceNumber, "sequence_number");
    return {
      status,
      snapshotId: inherit(r.optionalNumber("snapshot_id"), manifestFile.addedSnapshotId, "snapshot_id"),
      sequenceNumber,
      fileSequenceNumber: inherit(r.optionalNumber("file_sequence_number"), sequenceNumber, "file_sequence_number"),
      dataFile: readDataFileRecord(r.nested("data_file"), path, i),
    };
  });
  return { ...(schema === undefined ? {} : { schema }), partitionSpecId: Number(header("partition-spec-id") ?? 0), entries };
}

function readDataFileRecord(r: FieldReader, path: string, i: number): DataFile {
  if ((r.optionalNumber("content") ?? 0) !== 0) throw new CorruptFileError(path, `manifest_entry[${i}] is a delete file`);
  const format = r.string("file_format");
  if (format.toUpperCase() !== "PARQUET") throw new CorruptFileError(path, `manifest_entry[${i}] has file format ${format}`);
  const count = (v: unknown) => (typeof v === "number" ? v : undefined);
  const bytes = (v: unknown) => (v instanceof Uint8Array ? v : undefined);
  const valueCounts = r.intMap("value_counts", count);
  const nullCounts = r.intMap("null_value_counts", count);
  const nanCounts = r.intMap("nan_value_counts", count);
  const sizes = r.intMap("column_sizes", count);
  const lower = r.intMap("lower_bounds", bytes);
  const upper = r.intMap("upper_bounds", bytes);
  const ids = new Set([...valueCounts.keys(), ...nullCounts.keys(), ...lower.keys(), ...upper.keys(), ...sizes.keys()]);
  const columnStats = new Map<number, ColumnStats>();
  for (const id of ids) {
    const nanCount = nanCounts.get(id);
    const lowerBound = lower.get(id);
    const upperBound = upper.get(id);
    const columnSize = sizes.get(id);
    columnStats.set(id, {
      valueCount: valueCounts.get(id) ?? 0,
      nullCount: nullCounts.get(id) ?? 0,
      ...(nanCount === undefined ? {} : { nanCount }),
      ...(lowerBound === undefined ? {} : { lowerBound }),
      ...(upperBound === undefined ? {} : { upperBound }),
      ...(columnSize === undefined ? {} : { columnSize }),
    });
  }
  return {
    filePath: r.string("file_path"),
    fileFormat: "PARQUET",
    recordCount: r.number("record_count"),
    fileSizeInBytes: r.number("file_size_in_bytes"),
    columnStats,
  };
}
