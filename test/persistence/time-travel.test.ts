import { describe, expect, it } from "vitest";
import { SnapshotNotFoundError } from "../../src/runtime/persistence/errors";
import { expireObjectSnapshots, listObjectSnapshots, loadSnapshot, objectStore, rollBack } from "../../src/runtime/persistence/object-admin";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { openDatabase } from "./sqlite";

const clock = { now: 1_000 };

async function open(store: ObjectStore) {
  const { port } = await openDatabase();
  return { port, persistence: new ObjectPersistence({ store, port, now: () => clock.now }) };
}

async function allKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list("")).objects.map((o) => o.key);
}

describe("time travel and expiry", () => {
  it("restores as of a sequence number or a time, lists and expires snapshots", async () => {
    const store = createMemoryStore();
    const writer = await open(store);
    writer.port.exec("CREATE TABLE t (v INTEGER); CREATE TABLE keep (k TEXT); INSERT INTO keep VALUES ('same');");
    for (const v of [1, 2, 3]) {
      clock.now = v * 1_000;
      writer.port.exec(`INSERT INTO t VALUES (${v})`);
      await writer.persistence.checkpoint();
    }
    const listed = await writer.persistence.listSnapshots();
    expect(listed.map((s) => [s.sequence, s.timestampMs])).toEqual([[1, 1000], [2, 2000], [3, 3000]]);

    const asOf = await open(store);
    expect((await asOf.persistence.restore({ asOf: 2_500 }))?.sequence).toBe(2);
    expect(asOf.port.query("SELECT v FROM t")).toEqual([[1n], [2n]]);
    const bySequence = await open(store);
    await bySequence.persistence.restore({ sequence: 1 });
    expect(bySequence.port.query("SELECT v FROM t")).toEqual([[1n]]);
    await expect((await open(store)).persistence.restore({ asOf: 10 })).rejects.toBeInstanceOf(SnapshotNotFoundError);

    const before = await allKeys(store);
    const sharedFile = writer.persistence.head!.tables.keep!.files[0]!.key;
    clock.now = 10_000;
    const result = await writer.persistence.expireSnapshots({ keepLast: 1, maxAgeMs: 5_000 });
    expect(result.expired).toEqual([1, 2]);
    const after = await allKeys(store);
    expect(after).toContain(sharedFile);
    expect(after.length).toBe(before.length - 2 - result.deletedFiles);
    expect(result.deletedFiles).toBeGreaterThan(0);
    expect((await writer.persistence.listSnapshots()).map((s) => s.sequence)).toEqual([3]);
    // Iceberg metadata files older than what the pruned history names are gone too.
    expect(after.filter((key) => key.startsWith("tables/t/metadata/"))).toEqual(["tables/t/metadata/v3.metadata.json", "tables/t/metadata/version-hint.text"]);

    const latest = await open(store);
    await latest.persistence.restore();
    expect(latest.port.query("SELECT v FROM t")).toEqual([[1n], [2n], [3n]]);
    await expect((await open(store)).persistence.restore({ sequence: 1 })).rejects.toBeInstanceOf(SnapshotNotFoundError);

    // Going back in time on a live writer: the rollback becomes the newest commit.
    await writer.persistence.releaseLease();
    const live = await open(store);
    await live.persistence.restore();
    live.port.exec("INSERT INTO t VALUES (99)");
    await live.persistence.restore({ sequence: 3, replace: true });
    expect(live.port.query("SELECT v FROM t")).toEqual([[1n], [2n], [3n]]);
    live.port.exec("INSERT INTO t VALUES (4)");
    expect((await live.persistence.checkpoint())?.sequence).toBe(4);
    await live.persistence.releaseLease();
    await writer.persistence.restore({ replace: true });

    // The next checkpoint's Iceberg history no longer names expired snapshots.
    writer.port.exec("INSERT INTO t VALUES (5)");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(5);
    const hint = new TextDecoder().decode((await store.get("tables/t/metadata/version-hint.text"))!.body);
    const metadata = JSON.parse(new TextDecoder().decode((await store.get(`tables/t/metadata/v${hint}.metadata.json`))!.body)) as {
      snapshots: { "manifest-list": string }[];
    };
    const folders = metadata.snapshots.map((s) => /seq-(\d+)-/.exec(s["manifest-list"])?.[1]);
    expect(folders).toEqual(["3", "4", "5"]);
  });

  it("enforces a retention policy every so many checkpoints, keeping the files still in use", async () => {
    const store = createMemoryStore();
    const { port } = await openDatabase();
    const persistence = new ObjectPersistence({ store, port, retention: { keepLast: 2, everyCheckpoints: 3 } });
    port.exec("CREATE TABLE t (v INTEGER); CREATE TABLE still (s TEXT); INSERT INTO still VALUES ('from commit 1');");
    for (let v = 1; v <= 6; v++) {
      port.exec(`INSERT INTO t VALUES (${v})`);
      await persistence.checkpoint();
      if (v === 3) expect((await persistence.listSnapshots()).map((s) => s.sequence)).toEqual([2, 3]);
    }
    expect((await persistence.listSnapshots()).map((s) => s.sequence)).toEqual([5, 6]);
    const reader = await open(store);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([[1n], [2n], [3n], [4n], [5n], [6n]]);
    expect(reader.port.query("SELECT s FROM still")).toEqual([["from commit 1"]]);
  });

  it("rolls an object back from outside a Worker, lists and expires its snapshots, and loads any for export", async () => {
    const store = createMemoryStore();
    const { port } = await openDatabase();
    const writer = new ObjectPersistence({ store: objectStore(store, "abc"), port });
    port.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);");
    await writer.checkpoint();
    port.exec("INSERT INTO t VALUES (2)");
    await writer.checkpoint();
    await expect(rollBack(store, "abc", (await openDatabase()).port, { sequence: 1 })).rejects.toMatchObject({ code: "LEASE_HELD" });
    await expect(expireObjectSnapshots(store, "abc", { keepLast: 1 })).rejects.toMatchObject({ code: "LEASE_HELD" });
    expect((await listObjectSnapshots(store, "abc")).map((s) => s.sequence)).toEqual([1, 2]);
    expect(await listObjectSnapshots(store, "never-checkpointed")).toEqual([]);
    await writer.releaseLease();

    expect(await rollBack(store, "abc", (await openDatabase()).port, { sequence: 1 })).toMatchObject({ sequence: 3 });
    const exported = await openDatabase();
    expect((await loadSnapshot(store, "abc", exported.port))?.sequence).toBe(3);
    expect(exported.port.query("SELECT v FROM t")).toEqual([[1n]]);
    const older = await openDatabase();
    await loadSnapshot(store, "abc", older.port, { sequence: 2 });
    expect(older.port.query("SELECT v FROM t")).toEqual([[1n], [2n]]);

    expect((await expireObjectSnapshots(store, "abc", { keepLast: 1 })).expired).toEqual([1, 2]);
    expect((await listObjectSnapshots(store, "abc")).map((s) => s.sequence)).toEqual([3]);
    // The lease was given back.
    expect(await rollBack(store, "abc", (await openDatabase()).port, { sequence: 3 })).toBeNull();
  });
});
