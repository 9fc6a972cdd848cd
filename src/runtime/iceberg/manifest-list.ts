import { decodeContainer, DEFAULT_CODEC, encodeContainer, type AvroCodec } from "./avro/container";
import { FieldReader } from "./avro/fields";
import { CorruptFileError } from "./errors";
import { assertLocation } from "./locations";
import { MANIFEST_FILE_SCHEMA } from "./manifest-schemas";

/** One manifest as a manifest list records it (Avro record `manifest_file`). */
export interface ManifestFile {
  /** Fully qualified location of the manifest. */
  readonly path: string;
  readonly length: number;
  readonly partitionSpecId: number;
  /** 0: the manifest lists data files (dotdo writes no delete files). */
  readonly content: 0;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: number;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
}

export interface ManifestListInput {
  readonly snapshotId: number;
  readonly parentSnapshotId?: number;
  readonly sequenceNumber: number;
  /** New manifests and, as they are, manifests of earlier snapshots whose files are unchanged. */
  readonly manifests: readonly ManifestFile[];
  readonly codec?: AvroCodec;
}

export function writeManifestList(input: ManifestListInput): Promise<Uint8Array> {
  for (const m of input.manifests) assertLocation(m.path, "manifest location");
  return encodeContainer({
    schema: MANIFEST_FILE_SCHEMA,
    codec: input.codec ?? DEFAULT_CODEC,
    metadata: {
      "snapshot-id": String(input.snapshotId),
      ...(input.parentSnapshotId === undefined ? {} : { "parent-snapshot-id": String(input.parentSnapshotId) }),
      "sequence-number": String(input.sequenceNumber),
      "format-version": "2",
    },
    records: input.manifests.map((m) => ({
      manifest_path: m.path,
      manifest_length: m.length,
      partition_spec_id: m.partitionSpecId,
      content: m.content,
      sequence_number: m.sequenceNumber,
      min_sequence_number: m.minSequenceNumber,
      added_snapshot_id: m.addedSnapshotId,
      added_files_count: m.addedFilesCount,
      existing_files_count: m.existingFilesCount,
      deleted_files_count: m.deletedFilesCount,
      added_rows_count: m.addedRowsCount,
      existing_rows_count: m.existingRowsCount,
      deleted_rows_count: m.deletedRowsCount,
    })),
  });
}

/** Reads a manifest list; `path` names the file in errors. */
export async function readManifestList(bytes: Uint8Array, path: string): Promise<ManifestFile[]> {
  const { records } = await decodeContainer(bytes, path);
  return records.map((record, i) => {
    const r = new FieldReader(path, record as Record<string, unknown>, `manifest_file[${i}]`);
    const content = r.optionalNumber("content") ?? 0;
    if (content !== 0) throw new CorruptFileError(path, `manifest_file[${i}] lists delete files, which dotdo does not read`);
    return {
      path: r.string("manifest_path"),
      length: r.number("manifest_length"),
      partitionSpecId: r.number("partition_spec_id"),
      content,
      sequenceNumber: r.number("sequence_number"),
      minSequenceNumber: r.number("min_sequence_number"),
      addedSnapshotId: r.number("added_snapshot_id"),
      addedFilesCount: r.number("added_files_count"),
      existingFilesCount: r.number("existing_files_count"),
      deletedFilesCount: r.number("deleted_files_count"),
      addedRowsCount: r.number("added_rows_count"),
      existingRowsCount: r.number("existing_rows_count"),
      deletedRowsCount: r.number("deleted_rows_count"),
    };
  });
}
