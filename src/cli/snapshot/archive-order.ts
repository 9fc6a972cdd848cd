import { LATEST_KEY, LOCK_KEY, sequenceOfCommitKey } from "../../runtime/persistence/keys";

/**
 * Where a key of an object goes in an archive, and so in which order an import writes it:
 * checkpoint files first, then the commit objects that make them visible, then the tables'
 * Iceberg metadata, the `latest` hint and the lease. An import cut off at any point thus
 * leaves no commit whose files are missing. `key` is relative to the object's root.
 */
export function archiveRank(key: string): number {
  if (sequenceOfCommitKey(key) !== null) return 1;
  if (key.startsWith("tables/")) return 2;
  if (key === LATEST_KEY) return 3;
  if (key === LOCK_KEY) return 4;
  return 0;
}

/** `do/{id}/{key}` split into the object id and the key inside it; null for other keys. */
export function splitObjectKey(key: string): { id: string; key: string } | null {
  const match = /^do\/([^/]+)\/(.+)$/.exec(key);
  return match ? { id: match[1]!, key: match[2]! } : null;
}

/** Sorts store keys (`do/{id}/…`) into archive order: per object, by rank, then by key. */
export function compareArchiveKeys(a: string, b: string): number {
  const x = splitObjectKey(a);
  const y = splitObjectKey(b);
  if (!x || !y || x.id !== y.id) return a < b ? -1 : a > b ? 1 : 0;
  return archiveRank(x.key) - archiveRank(y.key) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
}
