/**
 * The one interface every object-store backend implements (file, s3, r2, gateway, memory).
 * It knows nothing of Iceberg or Durable Objects: keys are plain strings relative to the
 * store's root, bodies are bytes.
 *
 * Keys are `/`-separated, non-empty segments; `.`/`..` segments, a leading `/`, backslashes
 * and NUL are refused with `InvalidKeyError` by every backend, so a key means the same
 * thing on a folder as in a bucket.
 */
export interface ObjectStore {
  /** A short name for messages, e.g. `file:///srv/data` or `s3://bucket/prefix`. */
  readonly url: string;
  /** `null` when the key does not exist. */
  get(key: string, options?: GetOptions): Promise<StoredObject | null>;
  /**
   * Throws `PreconditionFailedError` when `ifNoneMatch` or `ifMatch` does not hold. A streamed
   * body that fails or does not match its size stores nothing.
   */
  put(key: string, body: PutBody, options?: PutOptions): Promise<ObjectInfo>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Deletes every key given (missing ones are not an error) in as few requests as the backend
   * allows: S3's DeleteObjects and R2's `delete(keys)` take 1,000 at once. Optional: without
   * it, `deleteKeys` deletes them one by one.
   */
  deleteMany?(keys: readonly string[]): Promise<void>;
  /** Keys starting with `prefix` (a plain string prefix), in ascending key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** `null` when the key does not exist. */
  head(key: string): Promise<ObjectInfo | null>;
}

/**
 * A body of `size` bytes that arrives as a stream: an upload the gateway passes on as it comes
 * in. The file, S3 and gateway backends, and R2 in workerd, pass it on without holding it in
 * memory; memory, and R2 outside workerd, buffer it.
 */
export interface BodyStream {
  readonly stream: ReadableStream<Uint8Array>;
  readonly size: number;
}

export type PutBody = Uint8Array | BodyStream;

export interface GetOptions {
  /**
   * Bytes `[offset, offset + length)`; `length` omitted means to the end. Like
   * `Uint8Array.slice`, a range past the end is cut short (possibly to nothing).
   */
  range?: ByteRange;
}

export interface ByteRange {
  offset: number;
  length?: number;
}

/** At most one condition per write. */
export type PutOptions =
  /** `"*"`: create only, fail if the key exists. */
  | { ifNoneMatch?: "*"; ifMatch?: undefined }
  /** Replace only if the key exists and its current etag equals this one. */
  | { ifMatch: string; ifNoneMatch?: undefined };

export interface ListOptions {
  /** Opaque cursor from a previous `ListResult`. */
  cursor?: string;
  /** Page size, 1 to 1000 (the default). */
  limit?: number;
}

export interface ObjectInfo {
  key: string;
  /** Size of the whole object, also when a ranged `get` returned part of it. */
  size: number;
  /** Opaque version tag, unquoted; pass it back as `ifMatch`. */
  etag: string;
}

export interface StoredObject extends ObjectInfo {
  /** The object's bytes, or the requested range of them. */
  body: Uint8Array;
}

export interface ListResult {
  objects: ObjectInfo[];
  /** Present when more keys follow. */
  cursor?: string;
}
