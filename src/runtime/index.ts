/**
 * `dotdo/runtime`, and what `cloudflare:workers` resolves to off Cloudflare: the classes and
 * types Worker code imports to define Durable Objects.
 */
export { DurableObject, RpcTarget, WorkerEntrypoint, type AlarmInvocationInfo, type ExecutionContext, type ScheduledController } from "./state/base-classes";
export { DurableObjectState } from "./state/state";
export { DurableObjectStorage, DurableObjectTransaction, type ListOptions } from "./state/storage";
export { BookmarksUnsupportedError } from "./state/bookmarks";
export { BookmarkExpiredError, BookmarkInvalidError } from "./persistence/bookmarks";
export { SqlStorage, type SqlBinding } from "./state/sql-storage";
export { Cursor as SqlStorageCursor, type SqlRow } from "./state/sql-cursor";
export { DurableObjectNamespace, type GetOptions } from "./namespace/namespace";
export { DurableObjectId } from "./namespace/id";
export type { DurableObjectStub } from "./namespace/stub";
export { DurableObjectFacets, FacetCloneUnsupportedError, FacetDepthError, FacetNameError, type FacetStartupOptions } from "./namespace/facets";
export { StoredStubError } from "./stub-storage";
export type { SqlValue as SqlStorageValue } from "./sqlite/types";
export { WebSocketPair, WebSocketRequestResponsePair, type WebSocket } from "./state/websocket";

/**
 * `env`, `exports` and `waitUntil` of the Worker most recently created in this process
 * (`import { env } from "cloudflare:workers"`), filled in by `createWorker`.
 */
export { currentEnv as env, currentExports as exports, waitUntil } from "./current-worker";
export { UnsupportedFeatureError } from "./cloudflare/unsupported";
export { CrossContextError } from "./io-context";
export * from "./cloudflare/workers-extras";
