import { assertPrecondition } from "./conditions";
import { contentEtag } from "./etag";
import { assertValidKey, assertValidPrefix, pageLimit } from "./keys";
import { assertValidRange, sliceRange } from "./range";
import { bodyBytes } from "./body";
import type { GetOptions, ListOptions, ListResult, ObjectInfo, ObjectStore, PutBody, PutOptions, StoredObject } from "./types";

interface Entry {
  body: Uint8Array;
  etag: string;
}

/** An in-process store for tests. Bodies are copied in and out, so callers cannot alias them. */
export function createMemoryStore(name = "default"): ObjectStore {
  const entries = new Map<string, Entry>();
  const info = (key: string, entry: Entry): ObjectInfo => ({ key, size: entry.body.length, etag: entry.etag });

  return {
    url: `memory://${name}`,

    async get(key: string, options?: GetOptions): Promise<StoredObject | null> {
      assertValidKey(key);
      if (options?.range) assertValidRange(options.range);
      const entry = entries.get(key);
      return entry ? { ...info(key, entry), body: sliceRange(entry.body, options?.range) } : null;
    },

    async put(key: string, input: PutBody, options?: PutOptions): Promise<ObjectInfo> {
      assertValidKey(key);
      const body = await bodyBytes(input);
      const etag = await contentEtag(body);
      // Checked after the await so that check and write happen in one synchronous step.
      assertPrecondition(key, options, entries.get(key)?.etag);
      const entry = { body: body.slice(), etag };
      entries.set(key, entry);
      return info(key, entry);
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      entries.delete(key);
    },

    async list(prefix: string, options?: ListOptions): Promise<ListResult> {
      assertValidPrefix(prefix);
      const limit = pageLimit(options);
      const after = options?.cursor;
      const keys = [...entries.keys()]
        .filter((key) => key.startsWith(prefix) && (after === undefined || key > after))
        .sort();
      const page = keys.slice(0, limit);
      const objects = page.map((key) => info(key, entries.get(key) as Entry));
      return keys.length > limit ? { objects, cursor: page.at(-1) } : { objects };
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertValidKey(key);
      const entry = entries.get(key);
      return entry ? info(key, entry) : null;
    },
  };
}
