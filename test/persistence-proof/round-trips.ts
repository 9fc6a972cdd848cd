import type { ObjectStore } from "../../src/runtime/storage/types";

interface Call {
  operation: string;
  key: string;
  start: number;
  end: number;
}

/**
 * Records every call a store serves, to count sequential round trips: a call is in round
 * `1 + the highest round of the calls that had finished before it started`, so calls in
 * flight together share a round and `rounds()` is the length of the longest chain of calls
 * that had to wait for one another.
 */
export function recordingStore(store: ObjectStore): { store: ObjectStore; calls: Call[]; rounds(): number; reset(): void } {
  const calls: Call[] = [];
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
    store: {
      url: store.url,
      get: (key, options) => record("get", key, () => store.get(key, options)),
      put: (key, body, options) => record("put", key, () => store.put(key, body, options)),
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
    },
  };
}
