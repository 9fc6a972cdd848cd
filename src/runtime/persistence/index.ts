// Checkpoints of an object's SQLite database as Iceberg V2 tables: restore, time travel, fencing.
export { DEFAULT_RETENTION, persistenceLifecycle } from "./lifecycle";
export { persistenceEnv, PersistenceConfigError } from "./env";
export { icebergHandleOf, PersistenceOffError } from "./iceberg-handles";
export type { FencingToken, IcebergHandle, PersistenceLifecycle, PersistenceLifecycleOptions } from "./lifecycle";
export { ObjectPersistence } from "./object-persistence";
export { expireObjectSnapshots, listObjectSnapshots, loadSnapshot, objectStore, rollBack } from "./object-admin";
export type { SnapshotTarget } from "./object-admin";
export type { CheckpointResult, PersistenceOptions, RestoreTarget, RetentionPolicy } from "./object-persistence";
export { CheckpointScheduler, DEFAULT_ICEBERG_CONFIG } from "./scheduler";
export type { IcebergConfig } from "./scheduler";
export { CorruptSnapshotError, FencedError, RestoreTargetNotEmptyError, SnapshotNotFoundError, UnsupportedSchemaError } from "./errors";
export type { LeaseRecord } from "./lease";
export type { ExpirePolicy, ExpireResult, SnapshotInfo } from "./time-travel";
export type { Commit } from "./commit";
export type { PortValue, SqlParam, SqlPort } from "./sql-port";
export { enginePort, EngineChanges } from "./engine-port";
export { ChangeTracker } from "./change-tracker";
export type { ChangeSet, ChangeSource } from "./change-tracker";
