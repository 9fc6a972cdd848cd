// Iceberg V2 format: pure functions from in-memory data to file bytes and back. No storage I/O.
export { CodecUnavailableError, CorruptFileError, InvalidIcebergInputError } from "./errors";
export { buildSchema, canReuseFiles, schemaFromJson, schemaToJson, PRIMITIVE_TYPES } from "./schema";
export type { ColumnSpec, PrimitiveType, Schema, SchemaField, SchemaJson } from "./schema";
export { fitsType } from "./values";
export type { IcebergValue, Row } from "./values";
export { deserializeBound, serializeBound } from "./bounds";
export type { BoundValue } from "./bounds";
export type { ColumnStats } from "./stats";
export { writeDataFile } from "./data-file-write";
export type { WrittenDataFile } from "./data-file-write";
export { readDataFile } from "./data-file-read";
export { dataFileOf } from "./data-file";
export type { DataFile } from "./data-file";
export { EntryStatus, PARTITION_SPEC_ID, readManifest, writeManifest } from "./manifest";
export type { Manifest, ManifestEntry, ManifestInput, WrittenManifest } from "./manifest";
export { readManifestList, writeManifestList } from "./manifest-list";
export type { ManifestFile, ManifestListInput } from "./manifest-list";
export { DEFAULT_CODEC } from "./avro/container";
export type { AvroCodec } from "./avro/container";
export {
  addSnapshot,
  createTableMetadata,
  currentSchema,
  currentSnapshot,
  newSnapshotId,
  nextSequenceNumber,
  removeSnapshots,
  serializeTableMetadata,
} from "./metadata";
export type { NewTableOptions, SnapshotInput } from "./metadata";
export type { SnapshotJson, SnapshotOperation, TableMetadata } from "./metadata-types";
export { parseTableMetadata } from "./metadata-parse";
export { assertLocation, metadataFileName, VERSION_HINT_FILE } from "./locations";
export { parseVersionHint, versionHintText } from "./version-hint";
