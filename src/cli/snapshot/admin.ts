import { hostname } from "node:os";
import { loadSqlJs } from "../../runtime/sqlite/sqljs-loader";
import { sqlJsPort } from "../../runtime/persistence/sqljs-port";
import type { SqlPort } from "../../runtime/persistence/sql-port";
import { FencedError, SnapshotNotFoundError } from "../../runtime/persistence/errors";
import type { CheckpointResult } from "../../runtime/persistence/object-persistence";
import { expireObjectSnapshots, listObjectSnapshots as listStoredSnapshots, rollBack } from "../../runtime/persistence/object-admin";
import type { ExpirePolicy, ExpireResult, SnapshotInfo } from "../../runtime/persistence/time-travel";
import { DotdoError } from "../../runtime/errors";
import type { ObjectStore } from "../../runtime/storage/types";
import { NoSnapshotsError, ObjectBusyError, ObjectStateError } from "./errors";
import { existingObject } from "./objects";

export interface LeaseWaitOptions {
  /** Wait for another holder's lease to expire instead of refusing (a crashed server's lease). */
  force?: boolean;
  /** Told before each wait, with the holder and when its lease runs out. */
  onWait?: (holder: string, expiresAt: number) => void;
}

/** Names this process in the lease while it restores or expires. */
const HOLDER = `dotdo-cli@${hostname()}:${process.pid}`;

/** Every stored checkpoint of the object, oldest first (`NoSnapshotsError` when there is none). */
export function listObjectSnapshots(store: ObjectStore, id: string): Promise<SnapshotInfo[]> {
  return inObject(store, id, () => storedSnapshots(store, id));
}

async function storedSnapshots(store: ObjectStore, id: string): Promise<SnapshotInfo[]> {
  const snapshots = await listStoredSnapshots(store, id);
  if (snapshots.length === 0) throw new NoSnapshotsError(id, store.url);
  return snapshots;
}

/**
 * Commits the state of an older checkpoint as the object's newest (history is kept), through
 * the persistence API; `committed` is null when the target already is the newest. Refuses
 * with `ObjectBusyError` (`LEASE_HELD`) while another process holds the object's lease.
 */
export async function restoreObject(
  store: ObjectStore,
  id: string,
  target: { sequence: number } | { asOf: number },
  options: LeaseWaitOptions = {},
): Promise<{ from: SnapshotInfo; committed: CheckpointResult | null }> {
  return inObject(store, id, async () => {
    const snapshots = await storedSnapshots(store, id);
    const from = "sequence" in target ? snapshots.find((s) => s.sequence === target.sequence) : snapshots.filter((s) => s.timestampMs <= target.asOf).at(-1);
    if (!from) throw new SnapshotNotFoundError(`${describeTarget(target)}; stored: ${describeRange(snapshots)}`);
    const committed = await withLeaseWait(options, async () => withEmptyDatabase((port) => rollBack(store, id, port, { sequence: from.sequence }, { holder: HOLDER })));
    return { from, committed };
  });
}

function describeTarget(target: { sequence: number } | { asOf: number }): string {
  return "sequence" in target ? `no checkpoint ${target.sequence}` : `no checkpoint at or before ${new Date(target.asOf).toISOString()}`;
}

function describeRange(snapshots: SnapshotInfo[]): string {
  const first = snapshots[0]!;
  const last = snapshots.at(-1)!;
  const when = (s: SnapshotInfo) => `${s.sequence} (${new Date(s.timestampMs).toISOString()})`;
  return first === last ? `only ${when(first)}` : `${snapshots.length} checkpoints, ${when(first)} to ${when(last)}`;
}

/** Deletes checkpoints beyond the policy (never the newest) and the files only they used. */
export async function expireObject(store: ObjectStore, id: string, policy: ExpirePolicy, options: LeaseWaitOptions = {}): Promise<ExpireResult> {
  return inObject(store, id, async () => {
    await storedSnapshots(store, id);
    return withLeaseWait(options, () => expireObjectSnapshots(store, id, policy, { holder: HOLDER }));
  });
}

/** Runs `work` on an empty sql.js database (restores load into it, checkpoints read it), closed after. */
async function withEmptyDatabase<T>(work: (port: SqlPort) => Promise<T>): Promise<T> {
  const sql = await loadSqlJs();
  const db = new sql.Database();
  try {
    // With the module, the port reads and loads images: restores are faster, and a rollback
    // goes into the object's write-ahead log as a whole image.
    return await work(sqlJsPort(db, sql));
  } finally {
    db.close();
  }
}

/**
 * Runs `task`; while another holder's lease is valid, refuses, or with `force` waits once for
 * it to expire. A lease renewed meanwhile belongs to a live process: that is refused too.
 */
async function withLeaseWait<T>(options: LeaseWaitOptions, task: () => Promise<T>): Promise<T> {
  let waitedFor: { holder: string | undefined; expiresAt: number } | null = null;
  for (;;) {
    try {
      return await task();
    } catch (error) {
      if (!(error instanceof FencedError && error.code === "LEASE_HELD")) throw error;
      const { holder, expiresAt } = error;
      const until = expiresAt === undefined ? "" : ` until ${new Date(expiresAt).toISOString()}`;
      if (!options.force) {
        throw new ObjectBusyError(`the object is open elsewhere: lease held by ${holder ?? "another process"}${until}; stop it, or pass --force to wait for the lease to expire`, holder, expiresAt);
      }
      if (waitedFor || expiresAt === undefined) {
        throw new ObjectBusyError(`after waiting, the lease is held by ${holder ?? "another process"}${until}: a live process has the object open; stop it first`, holder, expiresAt);
      }
      waitedFor = { holder, expiresAt };
      options.onWait?.(holder ?? "another process", expiresAt);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    }
  }
}

/** Runs work on one object; its dotdo errors name the object's location. */
async function inObject<T>(store: ObjectStore, id: string, work: () => Promise<T>): Promise<T> {
  const scoped = await existingObject(store, id);
  try {
    return await work();
  } catch (error) {
    if (error instanceof DotdoError && !(error instanceof ObjectStateError) && !(error instanceof ObjectBusyError) && !(error instanceof NoSnapshotsError)) {
      throw new ObjectStateError(scoped.url, error);
    }
    throw error;
  }
}
