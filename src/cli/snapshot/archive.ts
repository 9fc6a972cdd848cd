import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { DotdoError } from "../../runtime/errors";
import { PreconditionFailedError } from "../../runtime/storage/errors";
import type { ObjectStore } from "../../runtime/storage/types";
import { compareArchiveKeys, archiveRank, splitObjectKey } from "./archive-order";
import { ArchiveError, ImportConflictError, NoObjectsError, OutputExistsError, SnapshotArgumentError } from "./errors";
import { existingObject, listKeys, OBJECTS_PREFIX } from "./objects";
import { readTar, TAR_END, tarHeader, tarPadding, TarFormatError } from "./tar";

/** Store requests in flight at once while exporting or importing. */
const CONCURRENCY = 8;

export interface ExportResult {
  objects: number;
  files: number;
  bytes: number;
  /** Keys listed but deleted before they were read (checkpoints expired meanwhile). */
  vanished: string[];
}

export interface ImportResult {
  objects: number;
  files: number;
  bytes: number;
}

/**
 * Writes the files of one object (`ids`), or of every object (`ids` omitted), as they are in
 * the store, into a gzipped tar at `output`; extracting it into a file store's folder gives
 * that store the same objects. Files are named by their store key (`do/{id}/…`). The archive
 * appears only when complete, and an existing `output` is never replaced.
 */
export async function exportObjects(store: ObjectStore, output: string, ids?: string[]): Promise<ExportResult> {
  if (existsSync(output)) throw new OutputExistsError(output);
  if (!existsSync(dirname(resolve(output)))) throw new SnapshotArgumentError(`--output ${output}: its folder does not exist`);
  const keys = (await exportedKeys(store, ids)).sort(compareArchiveKeys);
  const result: ExportResult = { objects: new Set(keys.map((key) => splitObjectKey(key)?.id)).size, files: 0, bytes: 0, vanished: [] };
  const mtime = Date.now() / 1000;
  async function* entries(): AsyncGenerator<Uint8Array> {
    for await (const [key, object] of readAhead(keys, (key) => store.get(key))) {
      // Expiry deletes old checkpoints' files; the newest checkpoint is never among them.
      if (!object) {
        result.vanished.push(key);
        continue;
      }
      yield* tarHeader(key, object.body.length, mtime);
      yield object.body;
      yield tarPadding(object.body.length);
      result.files++;
      result.bytes += object.body.length;
    }
    yield TAR_END;
  }
  const partial = `${output}.partial-${process.pid}`;
  try {
    await pipeline(Readable.from(entries()), createGzip(), createWriteStream(partial, { flags: "wx" }));
    if (existsSync(output)) throw new OutputExistsError(output);
    await rename(partial, output);
  } finally {
    await rm(partial, { force: true });
  }
  return result;
}

async function exportedKeys(store: ObjectStore, ids: string[] | undefined): Promise<string[]> {
  if (ids === undefined) {
    const keys = (await listKeys(store, OBJECTS_PREFIX)).map((info) => info.key);
    if (keys.length === 0) throw new NoObjectsError(store.url);
    return keys;
  }
  const perObject = await Promise.all(ids.map(async (id) => {
    await existingObject(store, id);
    return listKeys(store, `${OBJECTS_PREFIX}${id}/`);
  }));
  return perObject.flat().map((info) => info.key);
}

/**
 * Writes every file of an archive made by `exportObjects` into the store, create-only: it
 * first checks that none of its keys exists (`ImportConflictError` lists those that do, and
 * nothing is written), then writes checkpoint files before the commits that name them.
 */
export async function importObjects(store: ObjectStore, archive: string): Promise<ImportResult> {
  const keys: string[] = [];
  for await (const entry of entries(archive)) keys.push(entry.name);
  const existing = (await mapWindow(keys, (key) => store.head(key))).flatMap((info) => (info ? [info.key] : []));
  if (existing.length > 0) throw new ImportConflictError(existing, store.url);

  const result: ImportResult = { objects: new Set(keys.map((key) => splitObjectKey(key)!.id)).size, files: 0, bytes: 0 };
  const conflicts: string[] = [];
  const failures: unknown[] = [];
  const inFlight: Promise<void>[] = [];
  const settle = async () => {
    await Promise.all(inFlight.splice(0));
    if (failures.length > 0) throw failures[0];
  };
  let group = "";
  for await (const { name, body } of entries(archive)) {
    // Files of one rank go in parallel; the next rank waits for them (commits after their files).
    const { id, key } = splitObjectKey(name)!;
    const entryGroup = `${id}:${archiveRank(key)}`;
    if (entryGroup !== group || inFlight.length >= CONCURRENCY) await settle();
    group = entryGroup;
    inFlight.push(
      store.put(name, body, { ifNoneMatch: "*" }).then(
        () => {
          result.files++;
          result.bytes += body.length;
        },
        (error: unknown) => void (error instanceof PreconditionFailedError ? conflicts.push(name) : failures.push(error)),
      ),
    );
  }
  await settle();
  // Written by someone else between the check and the write: theirs is kept.
  if (conflicts.length > 0) throw new ImportConflictError(conflicts, store.url);
  return result;
}

/** The archive's entries, each checked to be an object file (`do/{id}/…`). */
async function* entries(archive: string): AsyncGenerator<{ name: string; body: Uint8Array }> {
  if (!existsSync(archive)) throw new ArchiveError(archive, "no such file");
  const file = createReadStream(archive);
  const gunzip = createGunzip();
  // `pipe` does not pass a read error (EISDIR, EACCES) on: the entries would wait forever.
  file.on("error", (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  try {
    for await (const entry of readTar(gunzip)) {
      if (!splitObjectKey(entry.name)) throw new ArchiveError(archive, `entry ${JSON.stringify(entry.name)} is not an object's file (do/{id}/…)`);
      yield entry;
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw new ArchiveError(archive, `not a valid tar: ${error.message}`, { cause: error });
    if (error instanceof DotdoError) throw error;
    throw new ArchiveError(archive, `not a gzipped tar: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** `fetch` of every key, `CONCURRENCY` ahead of the consumer, yielded in order. */
async function* readAhead<T>(keys: string[], fetch: (key: string) => Promise<T>): AsyncGenerator<[string, T]> {
  const pending: Promise<T>[] = [];
  let next = 0;
  for (let i = 0; i < keys.length; i++) {
    while (next < keys.length && next < i + CONCURRENCY) {
      const fetched = fetch(keys[next++]!);
      // Awaited in turn below; until then a failure must not count as unhandled.
      fetched.catch(() => undefined);
      pending.push(fetched);
    }
    yield [keys[i]!, await pending.shift()!];
  }
}

/** `task` for every item, at most `CONCURRENCY` at once, results in order. */
async function mapWindow<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY) results.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(task))));
  return results;
}
