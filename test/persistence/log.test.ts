import { describe, expect, it } from "vitest";
import { decodeEntry, encodeEntry } from "../../src/runtime/persistence/log/entry";
import { applyPages, diffPages } from "../../src/runtime/persistence/log/pages";
import { CorruptSnapshotError, FencedError } from "../../src/runtime/persistence/errors";
import { logKey } from "../../src/runtime/persistence/keys";
import { MAX_APPEND_WINDOW } from "../../src/runtime/persistence/log/log-store";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import { StorageRequestError } from "../../src/runtime/storage/errors";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { dumpDatabase, openDatabase } from "./sqlite";

const FAST = { deadlineMs: 300, attemptTimeoutMs: 100, baseDelayMs: 5 };

/** One object's persistence on `store`, opened as the lifecycle opens it: restore, then seal. */
async function open(store: ObjectStore, holder: string, storePolicy = FAST, appendWindow?: number) {
  const { db, port } = await openDatabase();
  // No write counter: every sync compares the whole image, which finds every change.
  const persistence = new ObjectPersistence({ store, port, holder, leaseTtlMs: 60_000, storePolicy, ...(appendWindow && { appendWindow }) });
  await persistence.acquireLease();
  await persistence.restore();
  await persistence.openLog();
  return { db, port, persistence };
}

/** A reader: what a cold start restores from the store (newest commit + the log); what it reports goes to `reports`. */
async function restored(store: ObjectStore, reports: unknown[] = []) {
  const { port } = await openDatabase();
  await new ObjectPersistence({ store, port, storePolicy: FAST, onError: (error) => reports.push(error) }).restore();
  return port;
}

async function logPositions(store: ObjectStore): Promise<string[]> {
  return (await store.list("log/")).objects.map((o) => o.key);
}

describe("log entries", () => {
  it("round-trip, and any damaged byte is CORRUPT_SNAPSHOT naming the key", async () => {
    const bytes = await encodeEntry({ kind: "pages", position: 3, generation: 2, timestampMs: 5, stored: 1, size: 8, pageSize: 4, pages: [2], data: new Uint8Array([1, 2, 3, 4]) });
    const entry = await decodeEntry(bytes, "log/x", 3);
    expect(entry).toMatchObject({ kind: "pages", position: 3, generation: 2, pages: [2], stored: 1 });
    expect([...(entry as { data: Uint8Array }).data]).toEqual([1, 2, 3, 4]);
    for (const at of [0, 20, bytes.length - 40, bytes.length - 1]) {
      const damaged = bytes.slice();
      damaged[at]! ^= 1;
      await expect(decodeEntry(damaged, "log/x", 3)).rejects.toThrow(CorruptSnapshotError);
    }
    await expect(decodeEntry(bytes.subarray(0, bytes.length - 3), "log/x", 3)).rejects.toThrow(/log\/x/);
    await expect(decodeEntry(bytes, "log/x", 4)).rejects.toThrow(/position 4/);
  });

  it("page diffs replay exactly, growing and shrinking", () => {
    const page = (fill: number) => new Uint8Array(4096).fill(fill);
    const image = (...fills: number[]) => {
      const out = new Uint8Array(fills.length * 4096);
      fills.forEach((fill, i) => out.set(page(fill), i * 4096));
      out[16] = 0x10; // page size 4096 in the header
      out[17] = 0;
      return out;
    };
    const a = image(1, 2, 3);
    for (const b of [image(1, 9, 3), image(1, 2, 3, 4, 5), image(1, 2), image(7)]) {
      const diff = diffPages(a, b);
      expect(applyPages(a, diff)).toEqual(b);
    }
    expect(diffPages(a, image(1, 9, 3)).pages).toEqual([2]);
  });
});

describe("the write-ahead log", () => {
  it("makes every synced write durable without a checkpoint, DDL and WITHOUT ROWID included", async () => {
    const store = createMemoryStore();
    const { port, persistence } = await open(store, "a");
    port.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID; CREATE TABLE u (v)");
    await persistence.sync();
    port.exec("INSERT INTO t VALUES ('a', 1), ('b', 2); INSERT INTO u VALUES (1), (2), (3)");
    await persistence.sync();
    port.exec("DELETE FROM u; UPDATE t SET v = 3 WHERE k = 'a'; ALTER TABLE u ADD COLUMN w");
    await persistence.sync();
    // 3 batches: the first holder of an object writes no seal (no one can have appended before it).
    expect(await logPositions(store)).toEqual([logKey(1), logKey(2), logKey(3)]);
    expect(dumpDatabase(await restored(store))).toEqual(dumpDatabase(port));
  });

  it("group commit: writes made while a batch is stored share the next one", async () => {
    const store = createMemoryStore();
    const { port, persistence } = await open(store, "a");
    port.exec("CREATE TABLE t (v)");
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      port.exec(`INSERT INTO t VALUES (${i})`);
      waits.push(persistence.sync());
    }
    await Promise.all(waits);
    // The first batch, and one batch for everything written while it was stored.
    expect((await logPositions(store)).length).toBeLessThanOrEqual(2);
    expect((await restored(store)).query("SELECT count(*) FROM t")).toEqual([[50n]]);
  });

  it("a checkpoint records the log position it covers; restore replays only the entries after it, and old ones are compacted", async () => {
    const store = createMemoryStore();
    const { port, persistence } = await open(store, "a");
    port.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1)");
    const first = await persistence.checkpoint();
    port.exec("INSERT INTO t VALUES (2)");
    await persistence.sync();
    await persistence.checkpoint();
    port.exec("INSERT INTO t VALUES (3)");
    await persistence.sync();
    expect(first?.sequence).toBe(1);
    expect(persistence.head?.log).toBe(2);
    // Entries up to the first commit's position are gone; the rest replays onto commit 2.
    expect(await logPositions(store)).toEqual([logKey(2), logKey(3)]);
    expect((await restored(store)).query("SELECT v FROM t ORDER BY v")).toEqual([[1n], [2n], [3n]]);
  });

  it("a new holder seals the log: the old one's next append collides and it can never acknowledge again", async () => {
    const store = createMemoryStore();
    const a = await open(store, "a");
    a.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('a1')");
    await a.persistence.sync();
    // b takes over (as after a's lease ran out while a was paused), restores and seals.
    await store.put("lock", new TextEncoder().encode(JSON.stringify({ holder: "a", generation: 1, expiresAt: 0 })));
    const b = await open(store, "b");
    expect(b.port.query("SELECT v FROM t")).toEqual([["a1"]]);
    a.port.exec("INSERT INTO t VALUES ('a2, never acknowledged')");
    const error = await a.persistence.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FencedError);
    expect(a.persistence.failure).toBe(error);
    await expect(a.persistence.sync()).rejects.toBe(error);
    b.port.exec("INSERT INTO t VALUES ('b1')");
    await b.persistence.sync();
    expect((await restored(store)).query("SELECT v FROM t ORDER BY rowid")).toEqual([["a1"], ["b1"]]);
  });

  it("compaction keeps the seal of a take-over: the old holder still collides after the successor's checkpoints", async () => {
    const store = createMemoryStore();
    const a = await open(store, "a");
    a.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('a1')");
    await a.persistence.sync();
    // a's lease runs out unreleased (a paused); b takes over and checkpoints twice, which
    // compacts everything the first checkpoint covered.
    const lock = JSON.parse(new TextDecoder().decode((await store.get("lock"))!.body)) as object;
    await store.put("lock", new TextEncoder().encode(JSON.stringify({ ...lock, expiresAt: 1 })));
    const b = await open(store, "b");
    for (const v of ["b1", "b2"]) {
      b.port.exec(`INSERT INTO t VALUES ('${v}')`);
      await b.persistence.checkpoint();
    }
    a.port.exec("INSERT INTO t VALUES ('a2, never acknowledged')");
    await expect(a.persistence.sync()).rejects.toThrow(FencedError);
    expect((await restored(store)).query("SELECT v FROM t ORDER BY rowid")).toEqual([["a1"], ["b1"], ["b2"]]);
    // After a clean hand-over (lease given back) the seal is compacted like any entry.
    await b.persistence.releaseLease();
    const c = await open(store, "c");
    for (const v of ["c1", "c2"]) {
      c.port.exec(`INSERT INTO t VALUES ('${v}')`);
      await c.persistence.checkpoint();
    }
    expect(c.persistence.head?.seals?.map(([position]) => position)).toEqual(b.persistence.head?.seals?.map(([position]) => position));
  });

  it("an entry the old holder stored before the seal is taken in, not lost", async () => {
    const store = createMemoryStore();
    const a = await open(store, "a");
    a.port.exec("CREATE TABLE t (v)");
    await a.persistence.sync();
    await store.put("lock", new TextEncoder().encode(JSON.stringify({ holder: "a", generation: 1, expiresAt: 0 })));
    // b lists the log first; a's append lands between b's listing and b's seal.
    const slow = { ...store, list: async (...args: Parameters<ObjectStore["list"]>) => {
      const listed = await store.list(...args);
      if (args[0] === "log/") {
        a.port.exec("INSERT INTO t VALUES ('a acknowledged')");
        await a.persistence.sync();
      }
      return listed;
    } };
    const b = await open(slow, "b");
    expect(b.port.query("SELECT v FROM t")).toEqual([["a acknowledged"]]);
    expect(dumpDatabase(await restored(store))).toEqual(dumpDatabase(b.port));
  });

  it("a lost answer to a stored append is read back and counts as stored; a store that stays down fails the writes", async () => {
    const inner = createMemoryStore();
    let mode: "lose-answer" | "down" | "ok" = "ok";
    const store: ObjectStore = {
      ...inner,
      async put(key, body, options) {
        if (mode === "down" && key.startsWith("log/")) throw new StorageRequestError(inner.url, "put", key, "connection reset");
        const info = await inner.put(key, body, options);
        if (mode === "lose-answer" && key.startsWith("log/")) {
          mode = "ok";
          throw new StorageRequestError(inner.url, "put", key, "socket hang up after the write");
        }
        return info;
      },
    };
    const { port, persistence } = await open(store, "a");
    port.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1)");
    mode = "lose-answer";
    await persistence.sync(); // retried: 412, read back, same bytes
    expect((await restored(inner)).query("SELECT v FROM t")).toEqual([[1n]]);
    mode = "down";
    port.exec("INSERT INTO t VALUES (2)");
    await expect(persistence.sync()).rejects.toThrow(StorageRequestError);
    expect(persistence.failure).toBeInstanceOf(StorageRequestError);
    expect((await restored(inner)).query("SELECT v FROM t")).toEqual([[1n]]);
  });

  it("a gap in the log is damage, never skipped", async () => {
    const store = createMemoryStore();
    const { port, persistence } = await open(store, "a");
    for (const v of [1, 2, 3]) {
      port.exec(v === 1 ? "CREATE TABLE t (v)" : `INSERT INTO t VALUES (${v})`);
      await persistence.sync();
    }
    await store.delete(logKey(2));
    const error = await restored(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptSnapshotError);
    expect((error as CorruptSnapshotError).key).toBe(logKey(2));
  });

  it("a gap is only an append in flight when fewer entries than the widest window follow it, none taken after it was stored", async () => {
    const seal = (position: number, stored: number) =>
      encodeEntry({ kind: "seal", position, generation: 1, holder: "a", timestampMs: 1, stored });
    const log = async (tail: number[], stored = 1) => {
      const store = createMemoryStore();
      await store.put(logKey(1), await seal(1, 0));
      for (const position of tail) await store.put(logKey(position), await seal(position, stored));
      return store;
    };
    const widest = Array.from({ length: MAX_APPEND_WINDOW }, (_, i) => i + 3);
    const reports: unknown[] = [];
    await restored(await log(widest.slice(1)), reports);
    expect(reports).toEqual([expect.objectContaining({ code: "LOG_TAIL_UNACKNOWLEDGED", positions: widest.slice(1) })]);
    await expect(restored(await log(widest))).rejects.toThrow(expect.objectContaining({ code: "CORRUPT_SNAPSHOT", key: logKey(2) }));
    await expect(restored(await log([3], 2))).rejects.toThrow(expect.objectContaining({ code: "CORRUPT_SNAPSHOT", key: logKey(2) }));
  });

  it("appends are pipelined: a gap left by an append in flight is no damage; the next holder seals the window and never applies what followed the gap", async () => {
    const inner = createMemoryStore();
    // The first append to a key in `held` waits until released: a slow request, or a paused holder.
    const held = new Map<string, { release?: () => void }>();
    const store: ObjectStore = {
      ...inner,
      async put(key, body, options) {
        const hold = held.get(key);
        if (hold && !hold.release) await new Promise<void>((release) => (hold.release = release));
        return inner.put(key, body, options);
      },
    };
    // Waits out the hold; four appends in flight, as on a store across a network.
    const a = await open(store, "a", { deadlineMs: 10_000, attemptTimeoutMs: 10_000, baseDelayMs: 5 }, 4);
    a.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('a1')");
    await a.persistence.sync(); // batch 1 (the object's first holder writes no seal)
    held.set(logKey(2), {});
    a.port.exec("INSERT INTO t VALUES ('a2, in flight')");
    const second = a.persistence.sync();
    await new Promise((resolve) => setTimeout(resolve, 10)); // its append is on its way
    a.port.exec("INSERT INTO t VALUES ('a3, stored after the gap')");
    const third = a.persistence.sync();
    await expect.poll(async () => (await store.list("log/")).objects.map((o) => o.key)).toContain(logKey(3));
    let acknowledged = false;
    void third.then(() => (acknowledged = true), () => undefined);

    // Restoring now stops at the gap (neither write was acknowledged), and says what it left
    // out; b takes over and seals the gap and as many positions as any writer's window.
    const reports: unknown[] = [];
    expect((await restored(store, reports)).query("SELECT v FROM t")).toEqual([["a1"]]);
    expect(reports).toEqual([expect.objectContaining({ code: "LOG_TAIL_UNACKNOWLEDGED", positions: [3] })]);
    // a's lease ran out unreleased (expiresAt 0 would be a hand-over).
    await store.put("lock", new TextEncoder().encode(JSON.stringify({ holder: "a", generation: 1, expiresAt: 1 })));
    const b = await open(store, "b");
    expect(b.port.query("SELECT v FROM t")).toEqual([["a1"]]);
    b.port.exec("INSERT INTO t VALUES ('b1')");
    await b.persistence.sync();

    // a's held append lands on b's seal: a is fenced, and never acknowledged either write.
    held.get(logKey(2))!.release!();
    await expect(second).rejects.toThrow(FencedError);
    await expect(third).rejects.toThrow(FencedError);
    expect(acknowledged).toBe(false);
    expect((await restored(store)).query("SELECT v FROM t ORDER BY rowid")).toEqual([["a1"], ["b1"]]);
    // b's own entries follow the window it sealed: positions 2 to 5, then 6.
    expect(await logPositions(store)).toEqual([1, 2, 3, 4, 5, 6].map(logKey));
  });

  it.each([1, 4])("a checkpoint taken while writes keep coming sits on a batch of its own and does not wait for the writes to stop (%i appends in flight)", async (appendWindow) => {
    const inner = createMemoryStore();
    const store: ObjectStore = {
      ...inner,
      async put(key, body, options) {
        await new Promise((resolve) => setTimeout(resolve, 2)); // a store with some latency
        return inner.put(key, body, options);
      },
    };
    const { port, persistence } = await open(store, "a", FAST, appendWindow);
    port.exec("CREATE TABLE t (v)");
    let stop = false;
    let written = 0;
    const writer = (async () => {
      while (!stop) {
        port.exec(`INSERT INTO t VALUES (${written++})`);
        await Promise.race([persistence.sync(), new Promise((resolve) => setTimeout(resolve, 1))]);
      }
    })();
    const checkpoint = await persistence.checkpoint();
    stop = true;
    await writer;
    await persistence.sync();
    expect(checkpoint?.sequence).toBe(1);
    expect(persistence.head?.log).toBeGreaterThan(0);
    expect((await restored(store)).query("SELECT count(*) FROM t")).toEqual([[BigInt(written)]]);
  });

  it("a commit after time travel is followed by a full-image entry", async () => {
    const store = createMemoryStore();
    const { port, persistence } = await open(store, "a");
    port.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1)");
    await persistence.checkpoint();
    port.exec("INSERT INTO t VALUES (2)");
    await persistence.checkpoint();
    await persistence.restore({ sequence: 1, replace: true });
    await persistence.sync();
    expect((await restored(store)).query("SELECT v FROM t")).toEqual([[1n]]);
  });
});
