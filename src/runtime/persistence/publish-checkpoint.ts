import { writeManifest } from "../iceberg/manifest";
import { writeManifestList, type ManifestFile } from "../iceberg/manifest-list";
import { schemaToJson } from "../iceberg/schema";
import { PreconditionFailedError } from "../storage/errors";
import type { ObjectStore } from "../storage/types";
import { decodeCommit, encodeCommit, manifestFileOf, type Commit, type CommitFile, type CommitTable } from "./commit";
import { mapLimit } from "../concurrency";
import { FencedError } from "./errors";
import { packImage } from "./image-pack";
import { commitKey, LATEST_KEY, manifestListKey } from "./keys";
import { encodeHint } from "./latest";
import type { CheckpointSettings, PreparedCheckpoint } from "./prepare-checkpoint";
import type { TableHistory } from "./table-history";

/**
 * Stores the files, then creates the commit object: create-only, so losing that race (or
 * failing `assertMayCommit`) is `FencedError` and leaves no trace. Once this resolves the
 * checkpoint is durable, whatever happens to `announceCheckpoint`.
 */
export async function commitCheckpoint(
  settings: CheckpointSettings,
  prepared: PreparedCheckpoint,
  generation: number,
  assertMayCommit: () => Promise<void>,
): Promise<Commit> {
  const { store, location } = settings;
  const uploads: { key: string; bytes: Uint8Array }[] = [];
  const tables: Record<string, CommitTable> = {};
  for (const plan of prepared.tables) {
    if (plan.unchanged) {
      tables[plan.name] = plan.unchanged;
      continue;
    }
    const schema = plan.layout.schema;
    const added = await Promise.all(
      plan.added.map(async (file): Promise<CommitFile> => {
        const manifest = await writeManifest({
          path: `${location}/${file.record.manifestKey}`,
          schema,
          snapshotId: plan.snapshotId,
          sequenceNumber: plan.tableSequence,
          added: [file.dataFile],
        });
        uploads.push({ key: file.record.key, bytes: file.bytes }, { key: file.record.manifestKey, bytes: manifest.bytes });
        return { ...file.record, manifestLength: manifest.bytes.length, snapshotId: plan.snapshotId, sequenceNumber: plan.tableSequence };
      }),
    );
    const files = [...plan.kept, ...added].sort(byFirstRowid);
    if (files[0]) files[0] = { ...files[0], fromRowid: null };
    const manifests: ManifestFile[] = files.map((f) => manifestFileOf(location, f));
    const listKey = manifestListKey(prepared.folder, plan.slug);
    const parent = prepared.newest?.tables[plan.name]?.snapshotId;
    uploads.push({
      key: listKey,
      bytes: await writeManifestList({
        snapshotId: plan.snapshotId,
        ...(parent === undefined ? {} : { parentSnapshotId: parent }),
        sequenceNumber: plan.tableSequence,
        manifests,
      }),
    });
    tables[plan.name] = {
      slug: plan.slug,
      uuid: plan.uuid,
      rowidAlias: plan.layout.rowidAlias,
      rowidField: plan.layout.rowidField,
      otherField: plan.layout.otherField,
      schema: schemaToJson(schema),
      lastColumnId: schema.lastColumnId,
      files,
      manifestListKey: listKey,
      snapshotId: plan.snapshotId,
      sequenceNumber: plan.tableSequence,
      timestampMs: prepared.timestampMs,
    };
  }
  // Chunks the newest commit holds stay in its packs (expiry keeps them while it is kept).
  const image = prepared.image ? await packImage(prepared.image, prepared.newest?.image, prepared.folder) : null;
  if (image) uploads.push(...image.uploads);
  const commit: Commit = {
    format: 1,
    sequence: prepared.sequence,
    parent: prepared.sequence > 1 ? prepared.sequence - 1 : null,
    folder: prepared.folder,
    generation,
    holder: settings.holder,
    timestampMs: prepared.timestampMs,
    database: prepared.database,
    tables,
    ...(image && { image: image.image }),
    ...(prepared.log !== undefined && { log: prepared.log, seals: prepared.seals ?? [] }),
  };
  const discardUploads = () => Promise.allSettled(uploads.map((u) => store.delete(u.key)));
  try {
    await mapLimit(uploads, 8, (u) => store.put(u.key, u.bytes));
    await assertMayCommit();
  } catch (error) {
    // Nothing references these files (they are in this attempt's own folder).
    await discardUploads();
    throw error;
  }
  try {
    await putCommit(store, commit);
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      await discardUploads();
      throw new FencedError("FENCED", `another instance already committed checkpoint ${commit.sequence}`);
    }
    // The outcome is unknown: the commit may have landed, so the files it names stay.
    throw error;
  }
  return commit;
}

/**
 * Creates the commit object. When the answer is lost (a network error, or a 412 to the
 * client's own retry of a create that landed), the store decides: the commit is ours if it
 * names our folder. A read that fails here leaves the outcome unknown, and is thrown.
 */
async function putCommit(store: ObjectStore, commit: Commit): Promise<void> {
  const key = commitKey(commit.sequence);
  try {
    await store.put(key, encodeCommit(commit), { ifNoneMatch: "*" });
  } catch (error) {
    if (!(await holdsOurCommit(store, key, commit))) throw error;
  }
}

async function holdsOurCommit(store: ObjectStore, key: string, commit: Commit): Promise<boolean> {
  const stored = await store.get(key);
  if (!stored) return false;
  try {
    return decodeCommit(stored.body, key, commit.sequence).folder === commit.folder;
  } catch {
    return false; // damaged: not ours either
  }
}

/**
 * After a commit: moves the `latest` hint and publishes the Iceberg metadata of the tables
 * the commit changed (all of them when `publishAll`, e.g. the first commit after a restore).
 */
export async function announceCheckpoint(
  store: ObjectStore,
  commit: Commit,
  prepared: PreparedCheckpoint,
  history: TableHistory,
  publishAll: boolean,
): Promise<void> {
  await store.put(LATEST_KEY, await encodeHint(commit, prepared.image));
  const tables = publishAll ? Object.values(commit.tables) : prepared.tables.filter((p) => !p.unchanged).map((p) => commit.tables[p.name]!);
  await mapLimit(tables, 8, (table) => history.publish(table));
}

function byFirstRowid(a: CommitFile, b: CommitFile): number {
  if (a.fromRowid === null) return -1;
  if (b.fromRowid === null) return 1;
  const x = BigInt(a.fromRowid);
  const y = BigInt(b.fromRowid);
  return x < y ? -1 : x > y ? 1 : 0;
}
