import { describe, expect, it } from "vitest";
import { CorruptSnapshotError } from "../../src/runtime/persistence/errors";
import { IMAGE_CHUNK_BYTES } from "../../src/runtime/persistence/image";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { dumpDatabase, openDatabase } from "./sqlite";

/** The memory store, recording the keys read. */
function recording(store: ObjectStore) {
  const reads: string[] = [];
  const wrapped: ObjectStore = Object.create(store, {
    get: { value: (key: string, ...rest: unknown[]) => (reads.push(key), (store.get as (...a: unknown[]) => unknown)(key, ...rest)) },
  });
  return { store: wrapped, reads };
}

async function open(store: ObjectStore, { image = true } = {}) {
  const errors: unknown[] = [];
  const { port } = await openDatabase({ image });
  return { port, errors, persistence: new ObjectPersistence({ store, port, onError: (e) => errors.push(e) }) };
}

async function imageKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list("image/")).objects.map((o) => o.key).sort();
}

/** An object big enough for several image chunks, checkpointed once. */
async function checkpointed() {
  const store = createMemoryStore();
  const writer = await open(store);
  writer.port.exec("CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, tag BLOB); CREATE INDEX by_name ON items (name)");
  writer.port.runMany(
    "INSERT INTO items (name, tag) VALUES (?, randomblob(40))",
    Array.from({ length: 5_000 }, (_, i) => [`item ${i}`]),
  );
  await writer.persistence.checkpoint();
  return { store, writer, expected: dumpDatabase(writer.port), commit: writer.persistence.head! };
}

describe("SQLite image beside the tables", () => {
  it("restores from the image alone: no Parquet file is read, the database is the same", async () => {
    const { store, writer, expected, commit } = await checkpointed();
    await writer.persistence.releaseLease();
    expect(commit.image!.chunks.length).toBe(Math.ceil(commit.image!.bytes / IMAGE_CHUNK_BYTES));
    expect(commit.image!.chunks.length).toBeGreaterThan(1);
    const { store: watched, reads } = recording(store);
    const reader = await open(watched);
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(expected);
    expect(reads.filter((k) => k.endsWith(".parquet"))).toEqual([]);
    expect(reads.filter((k) => k.startsWith("image/")).sort()).toEqual([...new Set(commit.image!.chunks)].sort());
    expect(reader.errors).toEqual([]);
  });

  it("a one-row checkpoint uploads only the chunks that changed", async () => {
    const { store, writer, commit } = await checkpointed();
    const before = await imageKeys(store);
    writer.port.exec("UPDATE items SET name = 'changed' WHERE id = 2500");
    await writer.persistence.checkpoint();
    const next = writer.persistence.head!.image!;
    const added = (await imageKeys(store)).filter((k) => !before.includes(k));
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThan(commit.image!.chunks.length / 2);
    expect(next.chunks.filter((k) => commit.image!.chunks.includes(k)).length).toBeGreaterThan(0);
  });

  for (const damage of ["missing", "corrupt"] as const) {
    it(`a ${damage} chunk is reported and the tables are restored instead`, async () => {
      const { store, writer, expected, commit } = await checkpointed();
      await writer.persistence.releaseLease();
      const key = commit.image!.chunks[1]!;
      if (damage === "missing") await store.delete(key);
      else await store.put(key, new TextEncoder().encode("not a chunk"));
      const reader = await open(store);
      await reader.persistence.restore();
      expect(dumpDatabase(reader.port)).toEqual(expected);
      expect(reader.errors).toHaveLength(1);
      expect(reader.errors[0]).toBeInstanceOf(CorruptSnapshotError);
      expect((reader.errors[0] as CorruptSnapshotError).key).toBe(damage === "missing" ? key : "snapshots/commits/000000000001.json");
    });
  }

  it("commits without an image restore from the tables; the next checkpoint adds one", async () => {
    const store = createMemoryStore();
    const old = await open(store, { image: false });
    old.port.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a')");
    await old.persistence.checkpoint();
    await old.persistence.releaseLease();
    expect(old.persistence.head!.image).toBeUndefined();
    const reader = await open(store);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([["a"]]);
    reader.port.exec("INSERT INTO t VALUES ('b')");
    await reader.persistence.checkpoint();
    expect(reader.persistence.head!.image).toBeDefined();
    expect(reader.errors).toEqual([]);
  });

  it("time travel replaces a live database from an older commit's image", async () => {
    const { writer, expected } = await checkpointed();
    writer.port.exec("DELETE FROM items WHERE id > 10; CREATE TABLE extra (x)");
    await writer.persistence.checkpoint();
    await writer.persistence.restore({ sequence: 1, replace: true });
    expect(dumpDatabase(writer.port)).toEqual(expected);
    writer.port.exec("INSERT INTO items (name) VALUES ('after')");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(3);
  });

  it("expiry deletes only the chunks no kept commit references", async () => {
    const { store, writer } = await checkpointed();
    writer.port.exec("UPDATE items SET name = 'one' WHERE id = 1");
    await writer.persistence.checkpoint();
    writer.port.exec("UPDATE items SET name = 'two' WHERE id = 4000");
    await writer.persistence.checkpoint();
    const result = await writer.persistence.expireSnapshots({ keepLast: 1 });
    expect(result.expired).toEqual([1, 2]);
    expect(await imageKeys(store)).toEqual([...new Set(writer.persistence.head!.image!.chunks)].sort());
    const reader = await open(store);
    await writer.persistence.releaseLease();
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
    expect(reader.errors).toEqual([]);
  });
});

describe("engine images", () => {
  it("image() leaves prepared statements usable; loadImage() replaces the database", async () => {
    const engine = await loadSqliteEngine();
    const db = engine.open();
    db.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)", []);
    expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[1]]);
    const image = db.image()!;
    expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[1]]);
    expect(engine.open(image).query("SELECT v FROM t")).toEqual([[1]]);

    const other = engine.open();
    other.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (7), (8)", []);
    db.loadImage(other.image()!);
    expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[7], [8]]);
    expect(() => db.loadImage(new TextEncoder().encode("not a database"))).toThrow();
    expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[7], [8]]);
  });

  it("image() is null inside a transaction", async () => {
    const db = (await loadSqliteEngine()).open();
    const savepoint = db.savepoint();
    expect(db.image()).toBeNull();
    db.endSavepoint(savepoint, true);
    expect(db.image()).not.toBeNull();
  });
});
