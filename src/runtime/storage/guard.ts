import { CREATE_ONLY } from "./conditions";
import { PreconditionFailedError, StoreUnsafeError } from "./errors";
import type { ObjectStore, PutOptions } from "./types";

export interface GuardOptions {
  /**
   * The user promises only one instance ever writes to this store, so conditional writes
   * are not needed for safety and the check is skipped.
   */
  singleInstance?: boolean;
}

/** Where probe objects go; each probe removes its own. */
export const PROBE_PREFIX = ".dotdo-probe/";

/**
 * `store`, checked before its first write that it really enforces conditional writes.
 * Some S3 look-alikes accept `If-None-Match` / `If-Match` and ignore them, so every lock
 * built on them would "succeed"; such a store refuses writes with `StoreUnsafeError`,
 * unless single-instance mode was chosen.
 */
export function guardPreconditions(store: ObjectStore, options: GuardOptions = {}): ObjectStore {
  if (options.singleInstance) return store;
  let verdict: Promise<void> | undefined;
  const ensureSafe = (): Promise<void> => {
    verdict ??= probePreconditions(store).catch((error: unknown) => {
      // An unsafe store stays refused; a probe that failed for another reason (network)
      // is tried again on the next write.
      if (!(error instanceof StoreUnsafeError)) verdict = undefined;
      throw error;
    });
    return verdict;
  };

  return {
    url: store.url,
    get: (key, getOptions) => store.get(key, getOptions),
    head: (key) => store.head(key),
    list: (prefix, listOptions) => store.list(prefix, listOptions),
    async put(key, body, putOptions) {
      await ensureSafe();
      return store.put(key, body, putOptions);
    },
    async delete(key) {
      await ensureSafe();
      return store.delete(key);
    },
    ...(store.deleteMany && {
      async deleteMany(keys: readonly string[]) {
        await ensureSafe();
        return store.deleteMany!(keys);
      },
    }),
  };
}

/**
 * Creates a fresh key twice (the second must fail) and replaces it with a wrong etag (must
 * fail too), then removes it. Throws `StoreUnsafeError` if the store let either through.
 */
export async function probePreconditions(store: ObjectStore): Promise<void> {
  const key = `${PROBE_PREFIX}${crypto.randomUUID()}`;
  const body = new TextEncoder().encode("dotdo precondition probe");
  const created = await store.put(key, body, { ifNoneMatch: "*" });
  try {
    if (!(await refused(store, key, body, { ifNoneMatch: "*" }))) throw new StoreUnsafeError(store.url, CREATE_ONLY);
    const stale = { ifMatch: `${created.etag}-stale` };
    if (!(await refused(store, key, body, stale))) {
      throw new StoreUnsafeError(store.url, `If-Match: "${stale.ifMatch}"`);
    }
  } finally {
    await store.delete(key);
  }
}

async function refused(store: ObjectStore, key: string, body: Uint8Array, options: PutOptions): Promise<boolean> {
  try {
    await store.put(key, body, options);
    return false;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return true;
    throw error;
  }
}
