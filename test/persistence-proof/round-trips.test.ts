import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import { recordingStore } from "./round-trips";

// The round-trip count the S3 cold-start test relies on, checked on known call patterns.
describe("recordingStore counts sequential round trips", () => {
  it("calls in flight together share a round; a call started after another finished is the next", async () => {
    const recorded = recordingStore(createMemoryStore());
    await Promise.all(["a", "b", "c"].map((key) => recorded.store.put(key, new Uint8Array([1, 2]))));
    expect(recorded.rounds()).toBe(1);
    await recorded.store.get("a");
    await Promise.all([recorded.store.get("b"), recorded.store.head("c"), recorded.store.list("")]);
    expect(recorded.rounds()).toBe(3);
    expect(recorded.bytes).toEqual({ read: 4, written: 6 });
  });

  it("a chain of calls each waiting for the one before counts every link", async () => {
    const recorded = recordingStore(createMemoryStore());
    // Like a pool of two workers over four jobs: the third starts only after the first ends.
    const job = (key: string) => recorded.store.get(key);
    await Promise.all([job("1").then(() => job("3")), job("2").then(() => job("4"))]);
    expect(recorded.rounds()).toBe(2);
    recorded.reset();
    expect(recorded.rounds()).toBe(0);
  });
});
