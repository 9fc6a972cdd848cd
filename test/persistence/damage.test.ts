import { describe, expect, it } from "vitest";
import { CorruptSnapshotError, SnapshotNotFoundError } from "../../src/runtime/persistence/errors";
import { commitKey } from "../../src/runtime/persistence/keys";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { openDatabase } from "./sqlite";

/** Without images: these tests damage the Iceberg tables, which restores then read. */
async function open(store: ObjectStore) {
  const { port } = await openDatabase({ image: false });
  return { port, persistence: new ObjectPersistence({ store, port }) };
}

/** Two commits: 1 holds t = [1], 2 holds t = [1, 2] and a second table. */
async function twoCommits() {
  const store = createMemoryStore();
  const writer = await open(store);
  writer.port.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);");
  await writer.persistence.checkpoint();
  writer.port.exec("INSERT INTO t VALUES (2); CREATE TABLE u (w TEXT); INSERT INTO u VALUES ('x');");
  await writer.persistence.checkpoint();
  await writer.persistence.releaseLease();
  return { store, head: writer.persistence.head! };
}

async function restoreFails(store: ObjectStore, key: string) {
  const reader = await open(store);
  const error = await reader.persistence.restore().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CorruptSnapshotError);
  expect((error as CorruptSnapshotError).key).toBe(key);
  expect((error as Error).message).toContain(key);
  // Never started empty-but-usable: nothing was loaded.
  expect(reader.port.query("SELECT count(*) FROM sqlite_master")).toEqual([[0n]]);
  // An earlier snapshot, restored explicitly, still works.
  const earlier = await open(store);
  await earlier.persistence.restore({ sequence: 1 });
  expect(earlier.port.query("SELECT v FROM t")).toEqual([[1n]]);
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("damaged snapshots", () => {
  it("names a missing data file", async () => {
    const { store, head } = await twoCommits();
    const key = head.tables.u!.files[0]!.key;
    await store.delete(key);
    await restoreFails(store, key);
  });

  it("names a corrupt Parquet file", async () => {
    const { store, head } = await twoCommits();
    const key = head.tables.u!.files[0]!.key;
    await store.put(key, bytes("PAR1 garbage PAR1"));
    await restoreFails(store, key);
  });

  it("names a corrupt Avro manifest list", async () => {
    const { store, head } = await twoCommits();
    const key = head.tables.u!.manifestListKey;
    await store.put(key, bytes("Obj\u0001 not avro"));
    await restoreFails(store, key);
  });

  it("names a commit that is not valid JSON, and recovers by committing past it from an earlier one", async () => {
    const { store } = await twoCommits();
    await store.put(commitKey(2), bytes("{ not json"));
    // The latest hint's copy of commit 2 (checksummed) still restores it exactly.
    const fromCopy = await open(store);
    expect((await fromCopy.persistence.restore())?.sequence).toBe(2);
    expect(fromCopy.port.query("SELECT v FROM t")).toEqual([[1n], [2n]]);
    // Without that copy the restore must read the commit itself.
    await store.put("snapshots/latest", bytes("2"));
    await restoreFails(store, commitKey(2));

    const recovering = await open(store);
    await recovering.persistence.restore({ sequence: 1 });
    recovering.port.exec("INSERT INTO t VALUES (3)");
    expect((await recovering.persistence.checkpoint())?.sequence).toBe(3);
    await recovering.persistence.releaseLease();
    const reader = await open(store);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([[1n], [3n]]);
  });

  it("a hint naming a commit that is gone falls back to listing; with no commits at all it is damage", async () => {
    const { store } = await twoCommits();
    await store.put("snapshots/latest", bytes("1"));
    await store.delete(commitKey(1));
    const reader = await open(store);
    expect((await reader.persistence.restore())?.sequence).toBe(2);

    const empty = createMemoryStore();
    await empty.put("snapshots/latest", bytes("5"));
    const error = await (await open(empty)).persistence.restore().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptSnapshotError);
    expect((error as CorruptSnapshotError).key).toBe(commitKey(5));
  });

  it("never rolls back silently: with the newest commit object gone, its checksummed copy in the hint is restored and the damage reported", async () => {
    const { store } = await twoCommits();
    await store.delete(commitKey(2));
    const { port } = await openDatabase({ image: false });
    const reported: unknown[] = [];
    const reader = new ObjectPersistence({ store, port, onError: (error) => reported.push(error) });
    expect((await reader.restore())?.sequence).toBe(2);
    expect(port.query("SELECT v FROM t ORDER BY v")).toEqual([[1n], [2n]]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(CorruptSnapshotError);
    expect((reported[0] as CorruptSnapshotError).key).toBe(commitKey(2));
  });

  it("reports a sequence that was never committed", async () => {
    const { store } = await twoCommits();
    const reader = await open(store);
    await expect(reader.persistence.restore({ sequence: 9 })).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });
});
