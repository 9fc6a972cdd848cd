import { mapLimit } from "../concurrency";
import type { ObjectStore } from "./types";

/** The most keys one batch delete takes (S3's DeleteObjects and R2's `delete(keys)` alike). */
export const DELETE_BATCH = 1_000;

/** Deletes `keys` from `store`: in batches where the backend has them, else eight at a time. */
export async function deleteKeys(store: ObjectStore, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (store.deleteMany) return store.deleteMany(keys);
  await deleteEach(keys, (key) => store.delete(key));
}

/** Deletes `keys` one request each, eight at a time. */
export async function deleteEach(keys: readonly string[], deleteOne: (key: string) => Promise<void>): Promise<void> {
  await mapLimit(keys, 8, deleteOne);
}

/** `keys` in runs of at most `DELETE_BATCH`. */
export function deleteBatches(keys: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let at = 0; at < keys.length; at += DELETE_BATCH) batches.push(keys.slice(at, at + DELETE_BATCH));
  return batches;
}
