import type { SchemaJson } from "./schema";

/** Snapshot operations dotdo writes: a checkpoint adds files (`append`) or replaces some (`overwrite`). */
export type SnapshotOperation = "append" | "overwrite";

export interface SnapshotJson {
  "snapshot-id": number;
  "parent-snapshot-id"?: number;
  "sequence-number": number;
  "timestamp-ms": number;
  "manifest-list": string;
  summary: { operation: string } & Record<string, string>;
  "schema-id": number;
}

export interface SnapshotRefJson {
  "snapshot-id": number;
  type: "branch" | "tag";
}

/** Iceberg V2 table metadata (`v{N}.metadata.json`), in its JSON shape. */
export interface TableMetadata {
  "format-version": 2;
  "table-uuid": string;
  location: string;
  "last-sequence-number": number;
  "last-updated-ms": number;
  "last-column-id": number;
  schemas: SchemaJson[];
  "current-schema-id": number;
  "partition-specs": { "spec-id": number; fields: unknown[] }[];
  "default-spec-id": number;
  "last-partition-id": number;
  "sort-orders": { "order-id": number; fields: unknown[] }[];
  "default-sort-order-id": number;
  properties: Record<string, string>;
  "current-snapshot-id"?: number;
  snapshots: SnapshotJson[];
  "snapshot-log": { "timestamp-ms": number; "snapshot-id": number }[];
  "metadata-log": { "timestamp-ms": number; "metadata-file": string }[];
  refs: Record<string, SnapshotRefJson>;
}
