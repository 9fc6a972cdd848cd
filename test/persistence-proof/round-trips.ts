import { bodySize } from "../../src/runtime/storage/body";
import type { ObjectStore } from "../../src/runtime/storage/types";

export interface Call {
  operation: string;
  key: string;
  start: number;
  end: number;
}

export interface RecordingStore {
  store: ObjectStore;
  calls: Call[];
  /** Body bytes moved since the last reset. */
  bytes: { read: number; written: number };
  rounds(): number;
  reset(): void;
}

/**
 * Records every call a store serves (and the bytes it moves), to count sequential round
 * trips: a call is in round
 * `1 + the highest round of the calls that had finished before it started`, so calls in
 * flight together share a round and `rounds()` is the length of the longest chain of calls
 * that had to wait for one another.
 */
export function recordingStore(store: ObjectStore): RecordingStore {
  const calls: Call[] = [];
  const bytes = { read: 0, written: 0 };
  let clock = 0; // a logical clock: ordering is all that matters, not durations
  const record = async <T>(operation: string, key: string, run: () => Promise<T>): Promise<T> => {
    const call: Call = { operation, key, start: ++clock, end: Infinity };
    calls.push(call);
    try {
      return await run();
    } finally {
      call.end = ++clock;
    }
  };
  return {
    calls,
    bytes,
    store: {
      url: store.url,
      get: (key, options) =>
        record("get", key, async () => {
          const object = await store.get(key, options);
          bytes.read += object?.body.length ?? 0;
          return object;
        }),
      put: (key, body, options) => {
        bytes.written += bodySize(body);
        return record("put", key, () => store.put(key, body, options));
      },
      delete: (key) => record("delete", key, () => store.delete(key)),
      list: (prefix, options) => record("list", prefix, () => store.list(prefix, options)),
      head: (key) => record("head", key, () => store.head(key)),
    },
    rounds() {
      const round = new Map<Call, number>();
      for (const call of [...calls].sort((a, b) => a.start - b.start)) {
        const before = calls.filter((c) => c.end < call.start).map((c) => round.get(c) ?? 0);
        round.set(call, 1 + Math.max(0, ...before));
      }
      return Math.max(0, ...round.values());
    },
    reset() {
      calls.length = 0;
      bytes.read = 0;
      bytes.written = 0;
    },
  };
}
