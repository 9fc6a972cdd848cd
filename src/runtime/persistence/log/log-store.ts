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
 * The most appends one writer may have in flight (its window, `LogWriterOptions.window`, is at
 * most this): it takes a position at most this far past the last one it knows stored. So a gap
 * can only be an append still in flight (or lost) when fewer entries than this follow it, none
 * of them taken after the gap's position was stored; and a new holder that seals this many
 * positions leaves an older holder no position it could still append to.
 */
export const MAX_APPEND_WINDOW = 4;

/** The entries after a position, and the positions after a gap left out (see `readLog`). */
export interface LogRead {
  entries: LogEntry[];
  /** Entries after a gap that their writer never acknowledged; empty without a gap. */
  unacknowledged: number[];
}

/**
 * The entries after `after` (as `listed`, when listed already), read in parallel and checked,
 * up to the first gap. Entries after a gap are the tail of a writer's pipelined appends, which
 * it never acknowledged (the position before them was not stored): they are left out. Any
 * other gap may have held acknowledged writes, so it is damage, never skipped.
 */
export async function readLog(store: ObjectStore, after: number, policy: RetryPolicy, listed?: number[]): Promise<LogRead> {
  const positions = listed ?? (await listLog(store, after, policy));
  const gap = positions.findIndex((position, i) => position !== after + i + 1);
  const entries = await Promise.all(positions.map((position) => readEntry(store, position, policy)));
  if (gap === -1) return { entries, unacknowledged: [] };
  const missing = after + gap + 1;
  const tail = entries.slice(gap);
  if (tail.length >= MAX_APPEND_WINDOW || tail.some((entry) => entry.stored >= missing)) {
    throw new CorruptSnapshotError(logKey(missing), "missing: the log has a gap here");
  }
  return { entries: entries.slice(0, gap), unacknowledged: positions.slice(gap) };
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
