import type { SqliteDatabase } from "../sqlite/types";
import { DotdoError } from "../errors";
import type { IcebergHandle } from "./lifecycle";

/** `saveToIceberg()` & co. were called on an object that has no persistence (memory-only target). */
export class PersistenceOffError extends DotdoError {
  constructor() {
    super("PERSISTENCE_OFF", "this Durable Object has no Iceberg persistence: the runtime was started without a persistence lifecycle");
  }
}

// Open objects' handles, by database: the one thing both the lifecycle and the object's state hold.
const handles = new WeakMap<SqliteDatabase, IcebergHandle>();

export function attachIcebergHandle(db: SqliteDatabase, handle: IcebergHandle): void {
  handles.set(db, handle);
}

export function detachIcebergHandle(db: SqliteDatabase): void {
  handles.delete(db);
}

/** The persistence API of the object whose database is `db`, if it has one. */
export function findIcebergHandle(db: SqliteDatabase | undefined): IcebergHandle | undefined {
  return db && handles.get(db);
}

/** The persistence API of the object whose database is `db`. */
export function icebergHandleOf(db: SqliteDatabase | undefined): IcebergHandle {
  const handle = findIcebergHandle(db);
  if (!handle) throw new PersistenceOffError();
  return handle;
}
