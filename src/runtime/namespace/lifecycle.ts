import type { SqliteDatabase } from "../sqlite/types";

/** Which object: the persistence layer keys its files by these. */
export interface ObjectRef {
  /** The namespace's key: the class name unless configured otherwise. */
  readonly namespace: string;
  /** The 64-hex id. */
  readonly id: string;
  /** The name, when the object was first reached through `idFromName`/`getByName`. */
  readonly name?: string;
}

/** Whether the object store answers; `error` says why not. */
export type StoreHealth = { store: "ok" } | { store: "unreachable"; error: string };

/**
 * Hooks the persistence layer plugs in. Without them, an evicted object's database is kept
 * as a SQLite image in memory, so eviction never loses state.
 */
export interface ObjectLifecycle {
  /** The database image to open an object from; `undefined` for an object with no state yet. */
  load?(ref: ObjectRef): Promise<Uint8Array | undefined>;
  /** Called when an object's database is open, before its first event. */
  opened?(ref: ObjectRef, db: SqliteDatabase): void | Promise<void>;
  /**
   * Called before an idle object is dropped and on dispose (`stopping`: the worker is being
   * disposed, e.g. on SIGTERM): the last chance to save it.
   */
  beforeEvict?(ref: ObjectRef, db: SqliteDatabase, stopping: boolean): Promise<void>;
  /**
   * The output gate: resolves once every write the object's database holds now is durable.
   * A rejection means they never will be: the registry then drops the object (`discard`), and
   * the event that waited fails with `ObjectUnavailableError`.
   */
  durable?(ref: ObjectRef, db: SqliteDatabase): Promise<void>;
  /** The object is dropped without saving (its state is ahead of what could be stored). */
  discard?(ref: ObjectRef, db: SqliteDatabase): Promise<void>;
  /**
   * The object's next session starts from an older state (`onNextSessionRestoreBookmark`): a
   * reset (`ctx.abort()`) closes it, so that its next event opens it from the store.
   */
  restorePending?(db: SqliteDatabase): boolean;
  /** The store objects are kept in, by its short name (`file:///srv/data`, `s3://bucket`…). */
  readonly storeUrl?: string;
  /** Probes the object store (readiness: a replica that cannot store writes should not get traffic). */
  health?(): Promise<StoreHealth>;
  /**
   * The object's alarm was set (a time) or cleared (null). A store can keep an index of
   * pending alarms from this, and `wake(id)` those objects after a restart.
   */
  alarmChanged?(ref: ObjectRef, time: number | null): void;
  /** The objects the store knows have a pending alarm: a starting worker wakes them. */
  pendingAlarms?(): Promise<ObjectRef[]>;
  /** Takes one tick of a cron trigger for this process: false when another replica took it. */
  claimCronTick?(cron: string, scheduledTime: number): Promise<boolean>;
  /** The worker is disposed and every object evicted: finish background writes. */
  stopped?(): Promise<void>;
}
