import type { ObjectStore } from "../../src/runtime/storage/types";

/**
 * Wraps a store to count sequential round trips: a call issued after calls of round r have
 * completed belongs to round r + 1; calls issued together share a round.
 */
export function countRounds(store: ObjectStore): { store: ObjectStore; rounds: () => number; reset: () => void } {
  let completed = 0;
  let highest = 0;
  const track =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const round = completed + 1;
      highest = Math.max(highest, round);
      try {
        return await call(...args);
      } finally {
        completed = Math.max(completed, round);
      }
    };
  return {
    store: {
      url: store.url,
      get: track(store.get.bind(store)),
      put: track(store.put.bind(store)),
      delete: track(store.delete.bind(store)),
      list: track(store.list.bind(store)),
      head: track(store.head.bind(store)),
    },
    rounds: () => highest,
    reset: () => {
      completed = 0;
      highest = 0;
    },
  };
}
