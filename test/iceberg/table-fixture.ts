import {
  addSnapshot,
  createTableMetadata,
  currentSchema,
  currentSnapshot,
  dataFileOf,
  metadataFileName,
  newSnapshotId,
  nextSequenceNumber,
  parseTableMetadata,
  parseVersionHint,
  readDataFile,
  readManifest,
  readManifestList,
  serializeTableMetadata,
  versionHintText,
  writeDataFile,
  writeManifest,
  writeManifestList,
  type ManifestFile,
  type Row,
  type Schema,
  type SnapshotOperation,
  type TableMetadata,
} from "./api";

/** Where a test keeps files: fully qualified location in, bytes out. */
export interface TestStore {
  put(location: string, bytes: Uint8Array | string): void;
  get(location: string): Uint8Array;
}

export interface CommitInput {
  readonly tableLocation: string;
  readonly metadata?: TableMetadata;
  readonly version: number;
  readonly schema: Schema;
  readonly rows: readonly Row[];
  readonly operation: SnapshotOperation;
  /** Manifests of earlier snapshots to list again as they are. */
  readonly reuse?: readonly ManifestFile[];
}

/** One checkpoint of one table, the way the persistence layer is meant to use the format layer. */
export async function commitSnapshot(store: TestStore, input: CommitInput): Promise<{ metadata: TableMetadata; manifest: ManifestFile }> {
  const base = input.metadata ?? createTableMetadata({ location: input.tableLocation, schema: input.schema });
  const snapshotId = newSnapshotId();
  const sequenceNumber = nextSequenceNumber(base);
  const dataPath = `${input.tableLocation}/data/${sequenceNumber}-${snapshotId}.parquet`;
  const written = writeDataFile(input.schema, input.rows);
  store.put(dataPath, written.bytes);
  const manifestPath = `${input.tableLocation}/metadata/${snapshotId}-m0.avro`;
  const { bytes, manifestFile } = await writeManifest({
    path: manifestPath, schema: input.schema, snapshotId, sequenceNumber, added: [dataFileOf(dataPath, written)],
  });
  store.put(manifestPath, bytes);
  const manifests = [manifestFile, ...(input.reuse ?? [])];
  const listPath = `${input.tableLocation}/metadata/snap-${snapshotId}.avro`;
  const parent = currentSnapshot(base);
  store.put(listPath, await writeManifestList({
    snapshotId, sequenceNumber, manifests, ...(parent === undefined ? {} : { parentSnapshotId: parent["snapshot-id"] }),
  }));
  const metadata = addSnapshot(base, {
    snapshotId, sequenceNumber, operation: input.operation, manifestList: listPath, manifests, schema: input.schema,
    ...(input.metadata === undefined ? {} : { previousMetadataLocation: `${input.tableLocation}/metadata/${metadataFileName(input.version - 1)}` }),
  });
  store.put(`${input.tableLocation}/metadata/${metadataFileName(input.version)}`, serializeTableMetadata(metadata));
  store.put(`${input.tableLocation}/metadata/version-hint.text`, versionHintText(input.version));
  return { metadata, manifest: manifestFile };
}

/** The restore path: hint → metadata → manifest list → manifests → data files. */
export async function readTable(store: TestStore, tableLocation: string): Promise<Row[]> {
  const hintPath = `${tableLocation}/metadata/version-hint.text`;
  const version = parseVersionHint(new TextDecoder().decode(store.get(hintPath)), hintPath);
  const metadataPath = `${tableLocation}/metadata/${metadataFileName(version)}`;
  const metadata = parseTableMetadata(new TextDecoder().decode(store.get(metadataPath)), metadataPath);
  const snapshot = currentSnapshot(metadata);
  if (snapshot === undefined) return [];
  const schema = currentSchema(metadata);
  const rows: Row[] = [];
  for (const manifestFile of await readManifestList(store.get(snapshot["manifest-list"]), snapshot["manifest-list"])) {
    for (const entry of (await readManifest(store.get(manifestFile.path), manifestFile)).entries) {
      if (entry.status === 2) continue;
      rows.push(...(await readDataFile(store.get(entry.dataFile.filePath), schema, entry.dataFile.filePath)));
    }
  }
  return rows;
}
