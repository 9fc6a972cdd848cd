import { deleteBatches } from "./delete-keys";
import { describeCondition } from "./conditions";
import { PreconditionFailedError, StorageRequestError, storageFailure } from "./errors";
import { assertValidKey, assertValidPrefix, pageLimit } from "./keys";
import { emptyBody, rangedGet } from "./range";
import { bodyBytes, fixedLengthStream } from "./body";
import type { GetOptions, ListOptions, ListResult, ObjectInfo, ObjectStore, PutBody, PutOptions, StoredObject } from "./types";

/** The part of a Workers `R2Bucket` binding this store uses (so no Workers types are needed). */
export interface R2BucketLike {
  get(key: string, options?: { range?: { offset: number; length?: number } }): Promise<R2ObjectBodyLike | null>;
  head(key: string): Promise<R2ObjectLike | null>;
  put(
    key: string,
    value: Uint8Array | ReadableStream<Uint8Array>,
    options?: { onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string } },
  ): Promise<R2ObjectLike | null>;
  /** An array of up to 1,000 keys deletes them all in one call. */
  delete(keys: string | string[]): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{
    objects: R2ObjectLike[];
    truncated: boolean;
    cursor?: string;
  }>;
}

export interface R2ObjectLike {
  key: string;
  size: number;
  etag: string;
}

export interface R2ObjectBodyLike extends R2ObjectLike {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * A Workers R2 binding. Its conditional put does not throw when the condition fails: it
 * returns `null`, which is turned into `PreconditionFailedError` here.
 */
export function createR2Store(bucket: R2BucketLike, name = "r2"): ObjectStore {
  const url = `r2://${name}`;
  const failure = (operation: string, key: string, error: unknown) => storageFailure(url, operation, key, error);
  const info = (object: R2ObjectLike): ObjectInfo => ({ key: object.key, size: object.size, etag: object.etag });

  const head = async (key: string): Promise<ObjectInfo | null> => {
    assertValidKey(key);
    try {
      const object = await bucket.head(key);
      return object && info(object);
    } catch (error) {
      throw failure("head", key, error);
    }
  };

  return {
    url,

    get: (key: string, options?: GetOptions): Promise<StoredObject | null> =>
      rangedGet(key, options, head, async (range) => {
        try {
          const object = await bucket.get(key, range ? { range } : undefined);
          return object && { ...info(object), body: new Uint8Array(await object.arrayBuffer()) };
        } catch (error) {
          // R2 also refuses ranges past the end; like a slice, they hold no bytes.
          if (range && isUnsatisfiableRange(error)) return emptyBody(await head(key));
          throw failure("get", key, error);
        }
      }),

    async put(key: string, input: PutBody, options?: PutOptions): Promise<ObjectInfo> {
      assertValidKey(key);
      const condition = describeCondition(options);
      const onlyIf =
        options?.ifNoneMatch === "*"
          ? { etagDoesNotMatch: "*" }
          : options?.ifMatch !== undefined
            ? { etagMatches: options.ifMatch }
            : undefined;
      let object: R2ObjectLike | null;
      try {
        // Streamed where the binding can take a stream of known length (in workerd), so that
        // an upload passing through the gateway is never held whole in the isolate.
        const body = input instanceof Uint8Array ? input : (fixedLengthStream(input) ?? (await bodyBytes(input)));
        object = await bucket.put(key, body, onlyIf ? { onlyIf } : undefined);
      } catch (error) {
        throw failure("put", key, error);
      }
      if (object) return info(object);
      if (condition !== undefined) throw new PreconditionFailedError(key, condition);
      throw new StorageRequestError(url, "put", key, "the binding returned null for an unconditional put");
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      try {
        await bucket.delete(key);
      } catch (error) {
        throw failure("delete", key, error);
      }
    },

    async deleteMany(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertValidKey(key);
      for (const batch of deleteBatches(keys)) {
        try {
          await bucket.delete(batch);
        } catch (error) {
          throw failure("delete", batch[0]!, error);
        }
      }
    },

    async list(prefix: string, options?: ListOptions): Promise<ListResult> {
      assertValidPrefix(prefix);
      const limit = pageLimit(options);
      try {
        const result = await bucket.list({ prefix, cursor: options?.cursor, limit });
        const objects = result.objects.map(info);
        return result.truncated && result.cursor ? { objects, cursor: result.cursor } : { objects };
      } catch (error) {
        throw failure("list", prefix, error);
      }
    },

    head,
  };
}

/** R2 error 10039: "The requested range is not satisfiable". */
function isUnsatisfiableRange(error: unknown): boolean {
  return error instanceof Error && /\b10039\b|range is not satisfiable/i.test(error.message);
}
