import { PARTITION_SPEC_ID } from "../iceberg/manifest";
import type { ManifestFile } from "../iceberg/manifest-list";
import { schemaFromJson, type SchemaJson } from "../iceberg/schema";
import { CorruptSnapshotError } from "./errors";
import type { CommitImage } from "./image";
import type { DatabaseSchema } from "./load-database";
import type { TableLayout } from "./table-layout";

/**
 * One Parquet data file of a table and the one-entry manifest that lists it, which later
 * manifest lists reuse as is while the file is live (see `manifestFileOf`).
 */
export interface CommitFile {
  key: string;
  manifestKey: string;
  manifestLength: number;
  /** The Iceberg snapshot that added the file, and its sequence number. */
  snapshotId: number;
  sequenceNumber: number;
  rows: number;
  bytes: number;
  /** First rowid this file covers (decimal), up to the next file's; null: from the lowest. */
  fromRowid: string | null;
  /** Of the file's rows (see fingerprint.ts): tells an unchanged range without writing it. */
  fingerprint: string;
}

/**
 * One SQLite table in a commit: how it maps to Iceberg, its live files, and its current
 * Iceberg snapshot. The history of snapshots lives in the published table metadata only, so
 * a commit's size does not grow with history.
 */
export interface CommitTable {
  slug: string;
  /** Iceberg `table-uuid`, stable for the table's life. */
  uuid: string;
  rowidAlias: string | null;
  rowidField: string | null;
  otherField: string;
  schema: SchemaJson;
  lastColumnId: number;
  files: CommitFile[];
  manifestListKey: string;
  /** The table's current Iceberg snapshot: id, sequence number (per table) and time. */
  snapshotId: number;
  sequenceNumber: number;
  timestampMs: number;
}

/**
 * The object that makes a checkpoint visible: created once, create-only, under a key made of
 * its sequence number alone, so two writers cannot both commit the same number.
 */
export interface Commit {
  format: 1;
  sequence: number;
  parent: number | null;
  folder: string;
  generation: number;
  holder: string;
  timestampMs: number;
  database: DatabaseSchema;
  tables: Record<string, CommitTable>;
  /** The same state as a SQLite file image, restored from in place of the tables when present. */
  image?: CommitImage;
  /** The last write-ahead log position this state includes; a restore replays the log after it. */
  log?: number;
  /** Seal entries at or before `log` that compaction keeps: [position, timestampMs]. */
  seals?: Array<[number, number]>;
}

export function encodeCommit(commit: Commit): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(commit));
}

/** Parses and checks a commit; anything else is a `CorruptSnapshotError` naming `key`. */
export function decodeCommit(bytes: Uint8Array, key: string, expectedSequence: number): Commit {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CorruptSnapshotError(key, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const commit = value as Partial<Commit> | null;
  if (
    typeof commit !== "object" ||
    commit === null ||
    commit.format !== 1 ||
    commit.sequence !== expectedSequence ||
    typeof commit.folder !== "string" ||
    typeof commit.generation !== "number" ||
    typeof commit.timestampMs !== "number" ||
    typeof commit.tables !== "object" ||
    commit.tables === null ||
    !Array.isArray(commit.database?.objects)
  ) {
    throw new CorruptSnapshotError(key, `not a dotdo commit for sequence ${expectedSequence}`);
  }
  for (const [name, table] of Object.entries(commit.tables)) {
    if (
      !Array.isArray(table?.files) ||
      typeof table.schema !== "object" ||
      typeof table.manifestListKey !== "string" ||
      !Number.isSafeInteger(table.snapshotId) ||
      !Number.isSafeInteger(table.sequenceNumber)
    ) {
      throw new CorruptSnapshotError(key, `table ${JSON.stringify(name)} is malformed`);
    }
  }
  return commit as Commit;
}

/** The manifest list record of a file's manifest: one added data file, unpartitioned. */
export function manifestFileOf(location: string, file: CommitFile): ManifestFile {
  return {
    path: `${location}/${file.manifestKey}`,
    length: file.manifestLength,
    partitionSpecId: PARTITION_SPEC_ID,
    content: 0,
    sequenceNumber: file.sequenceNumber,
    minSequenceNumber: file.sequenceNumber,
    addedSnapshotId: file.snapshotId,
    addedFilesCount: 1,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: file.rows,
    existingRowsCount: 0,
    deletedRowsCount: 0,
  };
}

/** The layout a commit recorded for a table. */
export function layoutOf(table: CommitTable): TableLayout {
  return {
    rowidAlias: table.rowidAlias,
    rowidField: table.rowidField,
    otherField: table.otherField,
    schema: schemaFromJson(table.schema, table.lastColumnId),
  };
}
