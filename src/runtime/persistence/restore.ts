import { CorruptFileError } from "../iceberg/errors";
import { readDataFile } from "../iceberg/data-file-read";
import { readManifestList } from "../iceberg/manifest-list";
import type { Row } from "../iceberg/values";
import type { StagedImage } from "../sqlite/types";
import type { ObjectStore } from "../storage/types";
import { decodeCommit, layoutOf, type Commit, type CommitTable } from "./commit";
import { CorruptSnapshotError, RestoreTargetNotEmptyError, SnapshotNotFoundError } from "./errors";
import { readImage, type ImageRead } from "./image-read";
import type { ImagePrefetch } from "./latest";
import { commitKey } from "./keys";
import { loadDatabase } from "./load-database";
import { selfConvertingColumns } from "./schema";
import type { SqlPort } from "./sql-port";
import { writeRows } from "./table-rows";
import type { OtherCells } from "./value-tags";

/** One commit by sequence number. */
export async function readCommit(store: ObjectStore, sequence: number): Promise<Commit> {
  const key = commitKey(sequence);
  const object = await store.get(key);
  if (!object) throw new SnapshotNotFoundError(`no checkpoint ${sequence} (${key})`);
  return decodeCommit(object.body, key, sequence);
}

/** Starts reading a commit's image, when it has one and the port can load it. */
export function imageReader(store: ObjectStore, port: SqlPort): ImagePrefetch {
  return (commit, have) => (commit.image && port.stageImage ? readImage(store, commit.image, commitKey(commit.sequence), have) : null);
}

/**
 * Loads a commit into an empty database (or in place of its contents with `replace`). A commit
 * with a SQLite image, on a port that can load one, is restored from it (`image`: its read,
 * when already started; see `readLatest`), every chunk checked against its hash before the
 * database is replaced. A missing or damaged image goes to
 * `onImageError`, and the tables are loaded instead. Returns the image read, if one was used.
 */
export async function loadCommit(
  store: ObjectStore,
  port: SqlPort,
  commit: Commit,
  replace = false,
  onImageError: (error: unknown) => void = () => undefined,
  image?: Promise<ImageRead> | null,
): Promise<ImageRead | null> {
  if (commit.image && port.stageImage) {
    if (!replace && port.query("SELECT 1 FROM sqlite_master LIMIT 1").length > 0) throw new RestoreTargetNotEmptyError();
    try {
      let read = await (image ?? readImage(store, commit.image, commitKey(commit.sequence)));
      // Opening the image overlaps the chunk checks; it replaces the database only once they pass.
      for (;;) {
        const staged = await stageChecked(port, read);
        if (staged) {
          staged.use();
          return read;
        }
        read = await read.fallback!();
      }
    } catch (error) {
      onImageError(error);
    }
  }
  await loadTables(store, port, commit, replace);
  return null;
}

/** `read` opened beside the database once its checks pass; null when they fail and it has a fallback. */
async function stageChecked(port: SqlPort, read: ImageRead): Promise<StagedImage | null> {
  let staged: StagedImage | undefined;
  try {
    staged = port.stageImage!(read.bytes);
    await read.checked;
    return staged;
  } catch (error) {
    staged?.discard();
    if (read.fallback) return null;
    throw error;
  }
}

/**
 * Loads a commit's tables: round trip 3 fetches every data file and every table's manifest
 * list in parallel; all are decoded and checked before the database is touched, so a damaged
 * snapshot leaves it as it was and names the damaged file.
 */
async function loadTables(store: ObjectStore, port: SqlPort, commit: Commit, replace: boolean): Promise<void> {
  const tables = Object.entries(commit.tables);
  for (const object of commit.database.objects) {
    if (object.type === "table" && !commit.tables[object.name]) {
      throw new CorruptSnapshotError(commitKey(commit.sequence), `table ${JSON.stringify(object.name)} has no files`);
    }
  }
  const jobs = tables.flatMap(([name, table]) => [
    { kind: "list" as const, name, table, key: table.manifestListKey },
    ...table.files.map((file) => ({ kind: "data" as const, name, table, key: file.key, rows: file.rows })),
  ]);
  const decoded = new Map<string, { key: string; rows: Row[] }[]>();
  // All in one wave, whatever the file count: the third round trip is the last one.
  await Promise.all(jobs.map(async (job) => {
    const object = await store.get(job.key);
    if (!object) throw new CorruptSnapshotError(job.key, "missing");
    try {
      if (job.kind === "list") {
        await checkManifestList(object.body, job.key, job.table);
        return;
      }
      const rows = await readDataFile(object.body, layoutOf(job.table).schema, job.key);
      if (rows.length !== job.rows) throw new CorruptSnapshotError(job.key, `holds ${rows.length} rows, the commit says ${job.rows}`);
      const list = decoded.get(job.name) ?? [];
      list.push({ key: job.key, rows });
      decoded.set(job.name, list);
    } catch (error) {
      throw error instanceof CorruptFileError ? new CorruptSnapshotError(job.key, error.message, { cause: error }) : error;
    }
  }));
  loadDatabase(port, commit.database, (name) => {
    const table = commit.tables[name]!;
    const layout = layoutOf(table);
    const order = new Map(table.files.map((f, i) => [f.key, i]));
    const files = (decoded.get(name) ?? []).sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    const selfConverting = selfConvertingColumns(port, name);
    for (const file of files) writeRows(port, name, layout, file.rows, (text) => parseOther(text, file.key), selfConverting);
  }, replace);
}

/** The manifest list must name exactly the commit's manifests (wherever the store is mounted). */
async function checkManifestList(bytes: Uint8Array, key: string, table: CommitTable): Promise<void> {
  const listed = (await readManifestList(bytes, key)).map((m) => m.path.slice(m.path.lastIndexOf("/snapshots/") + 1)).sort();
  const expected = table.files.map((f) => f.manifestKey).sort();
  if (listed.length !== expected.length || listed.some((k, i) => k !== expected[i])) {
    throw new CorruptSnapshotError(key, "lists other manifests than the commit");
  }
}

function parseOther(text: string, key: string): OtherCells {
  try {
    const cells = JSON.parse(text) as OtherCells;
    if (typeof cells === "object" && cells !== null) return cells;
  } catch {
    // Reported below with the file.
  }
  throw new CorruptSnapshotError(key, `companion column holds ${JSON.stringify(text.slice(0, 40))}, not tagged values`);
}
