import { withPrefix } from "../storage/prefix";
import type { ObjectStore } from "../storage/types";
import type { Commit } from "./commit";
import { Lease } from "./lease";
import { DEFAULT_LEASE_TTL_MS, ObjectPersistence, type CheckpointResult, type PersistenceOptions } from "./object-persistence";
import type { SqlPort } from "./sql-port";
import { TableHistory } from "./table-history";
import { expireSnapshots, listSnapshots, type ExpirePolicy, type ExpireResult, type SnapshotInfo } from "./time-travel";

/** Work on one object's snapshots from outside a running Worker (e.g. `dotdo snapshot …`). */

/** The store of one object: its state lives under `do/{id}/` of the application's store. */
export function objectStore(store: ObjectStore, id: string): ObjectStore {
  return withPrefix(store, `do/${id}`);
}

export type SnapshotTarget = { sequence: number } | { asOf: Date | number } | Record<string, never>;

/** Loads a commit (the newest by default) into `port`, an empty database, e.g. to export it. */
export function loadSnapshot(store: ObjectStore, id: string, port: SqlPort, target: SnapshotTarget = {}): Promise<Commit | null> {
  return new ObjectPersistence({ store: objectStore(store, id), port }).restore(target);
}

/**
 * Makes an older commit the object's newest state: takes the lease (the object must not be
 * open elsewhere: `FencedError` `LEASE_HELD` otherwise), loads the commit into `port` (an empty
 * database), commits it as a new checkpoint and gives the lease back. Null when the target
 * already is the newest commit.
 */
export async function rollBack(
  store: ObjectStore,
  id: string,
  port: SqlPort,
  target: SnapshotTarget,
  options: Pick<PersistenceOptions, "holder"> = {},
): Promise<CheckpointResult | null> {
  const persistence = new ObjectPersistence({ store: objectStore(store, id), port, ...options });
  await persistence.acquireLease();
  try {
    await persistence.restore(target);
    return await persistence.checkpoint();
  } finally {
    persistence.close();
    await persistence.releaseLease();
  }
}

/** Every stored checkpoint of the object, oldest first (empty for an object never checkpointed). */
export function listObjectSnapshots(store: ObjectStore, id: string): Promise<SnapshotInfo[]> {
  return listSnapshots(objectStore(store, id));
}

/**
 * Deletes the object's checkpoints beyond `policy` (never the newest) and the files only they
 * used: takes the lease (`FencedError` `LEASE_HELD` while the object is open elsewhere) and
 * gives it back.
 */
export async function expireObjectSnapshots(
  store: ObjectStore,
  id: string,
  policy: ExpirePolicy,
  options: Pick<PersistenceOptions, "holder"> = {},
): Promise<ExpireResult> {
  const scoped = objectStore(store, id);
  const lease = new Lease({ store: scoped, holder: options.holder ?? crypto.randomUUID(), ttlMs: DEFAULT_LEASE_TTL_MS, now: Date.now });
  await lease.acquire();
  try {
    return await expireSnapshots(scoped, policy, Date.now(), new TableHistory(scoped, scoped.url.replace(/\/+$/, "")));
  } finally {
    await lease.release();
  }
}
