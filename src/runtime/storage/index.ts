/**
 * Object-store backends behind one interface. The file and S3 backends import `node:`
 * modules and the AWS SDK, so they are not re-exported here: import `./file` or `./s3`
 * directly, or let `createStore` load them on demand.
 */
export type * from "./types";
export * from "./errors";
export { createStore, type CreateStoreOptions } from "./create";
export {
  DEFAULT_FILE_ROOT,
  singleInstanceFromEnv,
  storeConfigFromEnv,
  type StorageEnv,
  type StoreConfig,
} from "./config";
export { guardPreconditions, probePreconditions, PROBE_PREFIX, type GuardOptions } from "./guard";
export { createGatewayStore, type GatewayStoreOptions } from "./gateway";
export { createMemoryStore } from "./memory";
export { withPrefix } from "./prefix";
export { createR2Store, type R2BucketLike, type R2ObjectBodyLike, type R2ObjectLike } from "./r2";
export { detectProvider, type S3Provider } from "./s3-provider";
