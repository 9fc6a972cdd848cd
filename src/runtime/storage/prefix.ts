import { PreconditionFailedError } from "./errors";
import { assertValidKey } from "./keys";
import type { ObjectInfo, ObjectStore } from "./types";

/**
 * `store` seen through a folder: every key gets `prefix/` in front, and keys in answers
 * come back without it. Used for `s3://bucket/prefix` and to scope a store to one tenant.
 */
export function withPrefix(store: ObjectStore, prefix: string): ObjectStore {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return store;
  assertValidKey(trimmed);
  const scope = `${trimmed}/`;
  const inner = (key: string) => scope + key;
  const outer = <T extends ObjectInfo>(info: T): T => ({ ...info, key: info.key.slice(scope.length) });

  return {
    url: `${store.url.replace(/\/+$/, "")}/${trimmed}`,
    get: async (key, options) => {
      const object = await store.get(inner(key), options);
      return object && outer(object);
    },
    put: async (key, body, options) => {
      try {
        return outer(await store.put(inner(key), body, options));
      } catch (error) {
        // Name the key as the caller knows it.
        throw error instanceof PreconditionFailedError
          ? new PreconditionFailedError(key, error.condition, { cause: error })
          : error;
      }
    },
    delete: (key) => store.delete(inner(key)),
    ...(store.deleteMany && { deleteMany: (keys: readonly string[]) => store.deleteMany!(keys.map(inner)) }),
    list: async (listPrefix, options) => {
      const result = await store.list(inner(listPrefix), options);
      return { ...result, objects: result.objects.map(outer) };
    },
    head: async (key) => {
      const info = await store.head(inner(key));
      return info && outer(info);
    },
  };
}
