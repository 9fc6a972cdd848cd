/**
 * The one interface every object-store backend implements (file, s3, r2, gateway, memory).
 * It knows nothing of Iceberg or Durable Objects: keys are plain strings relative to the
 * store's root, bodies are bytes.
 */
export interface ObjectStore {
  /** A short name for messages, e.g. `file:///srv/data` or `s3://bucket/prefix`. */
  readonly url: string;
  get(key: string, options?: GetOptions): Promise<StoredObject | null>;
  /** Throws `PreconditionFailedError` when `ifNoneMatch` or `ifMatch` does not hold. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<ObjectInfo>;
  delete(key: string): Promise<void>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  head(key: string): Promise<ObjectInfo | null>;
}

export interface GetOptions {
  /** Bytes `[offset, offset + length)`; `length` omitted means to the end. */
  range?: { offset: number; length?: number };
}

export interface PutOptions {
  /** `"*"`: create only, fail if the key exists. */
  ifNoneMatch?: "*";
  /** Replace only if the current etag equals this one. */
  ifMatch?: string;
}

export interface ListOptions {
  /** Opaque cursor from a previous `ListResult`. */
  cursor?: string;
  limit?: number;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
}

export interface StoredObject extends ObjectInfo {
  body: Uint8Array;
}

export interface ListResult {
  objects: ObjectInfo[];
  /** Present when more keys follow. */
  cursor?: string;
}
