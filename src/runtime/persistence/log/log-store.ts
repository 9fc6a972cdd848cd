import { AttemptTimeoutError, retrying, type RetryPolicy } from "../../retry";
import { PreconditionFailedError, StorageRequestError } from "../../storage/errors";
import type { ObjectStore } from "../../storage/types";
import { CorruptSnapshotError } from "../errors";
import { LOG_PREFIX, logKey, positionOfLogKey } from "../keys";
import { decodeEntry, type LogEntry } from "./entry";

/** Store failures worth another try: the network, the backend, a try that timed out. */
export function transient(error: unknown): boolean {
  return error instanceof StorageRequestError || error instanceof AttemptTimeoutError;
}

/** Positions of the log's entries after `after`, ascending. */
export async function listLog(store: ObjectStore, after: number, policy: RetryPolicy): Promise<number[]> {
  const positions: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await retrying(() => store.list(LOG_PREFIX, cursor === undefined ? {} : { cursor }), transient, policy);
    for (const object of page.objects) {
      const position = positionOfLogKey(object.key);
      if (position !== null && position > after) positions.push(position);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return positions.sort((a, b) => a - b);
}

/**
 * The entries after `after` (as `listed`, when listed already), read in parallel and checked: positions must follow on without a
 * gap (a missing entry may hold acknowledged writes, so it is damage, never skipped).
 */
export async function readLog(store: ObjectStore, after: number, policy: RetryPolicy, listed?: number[]): Promise<LogEntry[]> {
  const positions = listed ?? (await listLog(store, after, policy));
  positions.forEach((position, i) => {
    if (position !== after + i + 1) throw new CorruptSnapshotError(logKey(after + i + 1), "missing: the log has a gap here");
  });
  return Promise.all(positions.map((position) => readEntry(store, position, policy)));
}

/** The entry at `position`; a missing one is damage. */
export async function readEntry(store: ObjectStore, position: number, policy: RetryPolicy): Promise<LogEntry> {
  const key = logKey(position);
  const object = await retrying(() => store.get(key), transient, policy);
  if (!object) throw new CorruptSnapshotError(key, "missing");
  return decodeEntry(object.body, key, position);
}

/**
 * Creates the entry at `position` unless one exists: "stored" when these bytes are there now
 * (also when an earlier try of ours landed with its answer lost, or a retry got 412), "taken"
 * when another writer's entry holds the position. Transient failures are retried until the
 * policy's deadline, then thrown: the outcome is then unknown to the caller.
 */
export async function createEntry(store: ObjectStore, position: number, bytes: Uint8Array, policy: RetryPolicy): Promise<"stored" | "taken"> {
  const key = logKey(position);
  return retrying(async () => {
    try {
      await store.put(key, bytes, { ifNoneMatch: "*" });
      return "stored" as const;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const existing = await store.get(key);
      if (!existing) throw error; // deleted meanwhile: cannot happen to a live position; retry
      return sameBytes(existing.body, bytes) ? ("stored" as const) : ("taken" as const);
    }
  }, (error) => transient(error) || error instanceof PreconditionFailedError, policy);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
