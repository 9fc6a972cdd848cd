import { deleteKeys } from "../storage/delete-keys";
import type { ObjectStore } from "../storage/types";
import type { Commit } from "./commit";
import { mapLimit } from "../concurrency";
import { imageKeysOf } from "./image";
import { commitKey } from "./keys";
import { listSequences } from "./latest";
import { readCommit } from "./restore";
import type { TableHistory } from "./table-history";

export interface SnapshotInfo {
  sequence: number;
  parent: number | null;
  timestampMs: number;
  generation: number;
  holder: string;
  tables: { name: string; rows: number; bytes: number; files: number }[];
}

/** Limits on what is kept; a commit beyond either is expired. The newest is always kept. */
export interface ExpirePolicy {
  /** Keep at most this many newest commits. */
  keepLast?: number;
  /** Keep no commit older than this. */
  maxAgeMs?: number;
}

export interface ExpireResult {
  expired: number[];
  deletedFiles: number;
}

/** Every commit still stored, oldest first. */
export async function listSnapshots(store: ObjectStore): Promise<SnapshotInfo[]> {
  const commits = await mapLimit(await listSequences(store), 8, (s) => readCommit(store, s));
  return commits.map(describe);
}

function describe(commit: Commit): SnapshotInfo {
  return {
    sequence: commit.sequence,
    parent: commit.parent,
    timestampMs: commit.timestampMs,
    generation: commit.generation,
    holder: commit.holder,
    tables: Object.entries(commit.tables).map(([name, t]) => ({
      name,
      rows: t.files.reduce((n, f) => n + f.rows, 0),
      bytes: t.files.reduce((n, f) => n + f.bytes, 0),
      files: t.files.length,
    })),
  };
}

/**
 * Deletes commits beyond `keepLast` or older than `maxAgeMs` (never the newest), then the
 * files (data files, manifests, image packs) that only they used, and the tables' Iceberg
 * metadata files their histories no longer name. Each commit object goes before its files, so a crash leaves unreferenced files,
 * never a commit with files missing. The newest commit's tables are republished without the
 * expired Iceberg snapshots.
 */
export async function expireSnapshots(store: ObjectStore, policy: ExpirePolicy, now: number, history: TableHistory): Promise<ExpireResult> {
  const commits = await mapLimit(await listSequences(store), 8, (s) => readCommit(store, s));
  const keepLast = Math.max(1, policy.keepLast ?? Infinity);
  const cutoff = policy.maxAgeMs === undefined ? -Infinity : now - policy.maxAgeMs;
  const newest = commits.length - 1;
  const expired = commits.filter((c, i) => i < newest && (i < commits.length - keepLast || c.timestampMs < cutoff));
  if (expired.length === 0) return { expired: [], deletedFiles: 0 };
  const retained = commits.filter((c) => !expired.includes(c));
  const live = new Set(retained.flatMap(filesOf));
  const doomed = new Set(expired.flatMap(filesOf).filter((key) => !live.has(key)));
  for (const commit of expired) await store.delete(commitKey(commit.sequence));
  await deleteKeys(store, [...doomed]);
  history.retainFrom(retained[0]!.sequence);
  const metadataFiles = await mapLimit(Object.values(retained.at(-1)!.tables), 8, (table) => history.prune(table));
  return { expired: expired.map((c) => c.sequence), deletedFiles: doomed.size + metadataFiles.reduce((a, b) => a + b, 0) };
}

function filesOf(commit: Commit): string[] {
  const tables = Object.values(commit.tables).flatMap((t) => [t.manifestListKey, ...t.files.flatMap((f) => [f.key, f.manifestKey])]);
  return [...tables, ...imageKeysOf(commit.image)];
}
