import { describe, expect, it } from "vitest";
import { guardPreconditions, PROBE_PREFIX, probePreconditions } from "../../src/runtime/storage/guard";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";

/** The real memory store, with its writes counted. */
function counted(store: ObjectStore): { store: ObjectStore; puts: () => number } {
  let puts = 0;
  return {
    store: {
      ...store,
      put: (key, body, options) => {
        puts++;
        return store.put(key, body, options);
      },
    },
    puts: () => puts,
  };
}

describe("guardPreconditions", () => {
  it("probes once, before the first write, and leaves nothing behind", async () => {
    const inner = createMemoryStore();
    const { store, puts } = counted(inner);
    const guarded = guardPreconditions(store);
    await guarded.get("k");
    await guarded.list("");
    expect(puts()).toBe(0);
    await Promise.all([guarded.put("a", new Uint8Array([1])), guarded.put("b", new Uint8Array([2]))]);
    const afterFirst = puts();
    expect(afterFirst).toBe(2 + 3);
    await guarded.put("c", new Uint8Array([3]));
    expect(puts()).toBe(afterFirst + 1);
    expect((await inner.list("")).objects.map((o) => o.key)).toEqual(["a", "b", "c"]);
    expect((await inner.list(PROBE_PREFIX)).objects).toEqual([]);
  });

  it("does not probe in single-instance mode", async () => {
    const { store, puts } = counted(createMemoryStore());
    const guarded = guardPreconditions(store, { singleInstance: true });
    await guarded.put("a", new Uint8Array([1]));
    expect(puts()).toBe(1);
  });

  it("passes a store that enforces conditions", async () => {
    await expect(probePreconditions(createMemoryStore())).resolves.toBeUndefined();
  });
});
