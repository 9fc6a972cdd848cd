import { withPrefix } from "../storage/prefix";
import type { ObjectStore } from "../storage/types";
import type { Commit } from "./commit";
import { ObjectPersistence, type CheckpointResult, type PersistenceOptions } from "./object-persistence";
import type { SqlPort } from "./sql-port";

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
