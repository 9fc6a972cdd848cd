import { objectStore } from "../../runtime/persistence/object-admin";
import { sequenceOfCommitKey } from "../../runtime/persistence/keys";
import type { ObjectInfo, ObjectStore } from "../../runtime/storage/types";
import { UnknownObjectError } from "./errors";

/** Every object's state lives under this prefix of the application's store. */
export const OBJECTS_PREFIX = "do/";

/** One object that has files in the store. */
export interface ObjectSummary {
  id: string;
  /** Committed checkpoints still stored. */
  commits: number;
  /** The newest committed sequence number, or null when none is. */
  newest: number | null;
  files: number;
  bytes: number;
}

/** Every key under `prefix`, in key order, across all pages. */
export async function listKeys(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const keys: ObjectInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, cursor === undefined ? {} : { cursor });
    keys.push(...page.objects);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

/** The objects with state in the store, by id. */
export async function listObjects(store: ObjectStore): Promise<ObjectSummary[]> {
  const objects = new Map<string, ObjectSummary>();
  for (const info of await listKeys(store, OBJECTS_PREFIX)) {
    const [id, ...rest] = info.key.slice(OBJECTS_PREFIX.length).split("/");
    if (!id || rest.length === 0) continue;
    let summary = objects.get(id);
    if (!summary) objects.set(id, (summary = { id, commits: 0, newest: null, files: 0, bytes: 0 }));
    summary.files++;
    summary.bytes += info.size;
    const sequence = sequenceOfCommitKey(rest.join("/"));
    if (sequence !== null) {
      summary.commits++;
      summary.newest = Math.max(summary.newest ?? 0, sequence);
    }
  }
  return [...objects.values()];
}

/** The object's own store, after checking it has any files at all (`UnknownObjectError`). */
export async function existingObject(store: ObjectStore, id: string): Promise<ObjectStore> {
  const scoped = objectStore(store, id);
  if ((await scoped.list("", { limit: 1 })).objects.length > 0) return scoped;
  const hint = /^[0-9a-f]{64}$/.test(id) ? "" : "; ids are 64 hex digits, or give --name NAME (with --binding) for idFromName objects";
  throw new UnknownObjectError(id, store.url, hint);
}
