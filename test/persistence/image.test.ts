import { describe, expect, it } from "vitest";
import { CorruptSnapshotError } from "../../src/runtime/persistence/errors";
import { IMAGE_CHUNK_BYTES, type CommitImage } from "../../src/runtime/persistence/image";
import { INLINE_IMAGE_BYTES } from "../../src/runtime/persistence/latest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { recordingStore } from "../persistence-proof/round-trips";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";
import { SuspendableDatabase } from "../../src/runtime/sqlite/suspendable-database";
import type { SqliteEngine } from "../../src/runtime/sqlite/types";
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
  return (await store.list("snapshots/")).objects.map((o) => o.key).filter((k) => k.includes("/image/")).sort();
}

const packKeys = (image: CommitImage) => image.packs.map((p) => p.key).sort();

/** An object big enough for several image chunks and too big to ride in the hint, checkpointed once. */
async function checkpointed() {
  const store = createMemoryStore();
  const writer = await open(store);
  writer.port.exec("CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, tag BLOB); CREATE INDEX by_name ON items (name)");
  writer.port.runMany(
    "INSERT INTO items (name, tag) VALUES (?, randomblob(40))",
    Array.from({ length: 10_000 }, (_, i) => [`item ${i}`]),
  );
  await writer.persistence.checkpoint();
  expect(writer.persistence.head!.image!.bytes).toBeGreaterThan(INLINE_IMAGE_BYTES);
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
    // The first checkpoint uploads the whole image as one pack, read back in one GET.
    expect(commit.image!.packs).toHaveLength(1);
    expect(reads.filter((k) => k.includes("/image/"))).toEqual(packKeys(commit.image!));
    expect(reader.errors).toEqual([]);
  });

  it("a small object's image rides in the latest hint: the restore reads no pack", async () => {
    const store = createMemoryStore();
    const writer = await open(store);
    writer.port.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('a'), ('b')");
    await writer.persistence.checkpoint();
    await writer.persistence.releaseLease();
    const { store: watched, reads } = recording(store);
    const reader = await open(watched);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([["a"], ["b"]]);
    // One round: the hint, the image a clean stop would have left (there is none) and a
    // bookmark's restore request (none).
    expect(reads.sort()).toEqual(["snapshots/image", "snapshots/latest", "snapshots/restore-request"]);
    expect(reader.errors).toEqual([]);
  });

  it("a clean stop leaves a big image: the next restore takes one round trip and reads no pack", async () => {
    const { store, writer, expected } = await checkpointed();
    await writer.persistence.leaveImage();
    await writer.persistence.releaseLease();
    const recorded = recordingStore(store);
    const reader = await open(recorded.store);
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(expected);
    expect(recorded.rounds()).toBe(1);
    expect(recorded.calls.filter((c) => c.key.includes("/image/"))).toEqual([]);
    expect(reader.errors).toEqual([]);
  });

  it("a left image that is stale or damaged still gives the chunks it holds; the others come from the packs", async () => {
    const { store, writer } = await checkpointed();
    await writer.persistence.leaveImage();
    writer.port.exec("UPDATE items SET name = 'after the stop' WHERE id = 9000");
    await writer.persistence.checkpoint(); // a crash follows: no image left for this one
    await writer.persistence.releaseLease();
    const expected = dumpDatabase(writer.port);
    const left = (await store.get("snapshots/image"))!.body;
    for (const damage of ["stale", "not a database", "cut short"] as const) {
      if (damage === "not a database") await store.put("snapshots/image", new Uint8Array(left.length).fill(7));
      if (damage === "cut short") await store.put("snapshots/image", left.subarray(0, IMAGE_CHUNK_BYTES * 3 + 5));
      const recorded = recordingStore(store);
      const reader = await open(recorded.store);
      await reader.persistence.restore();
      expect(dumpDatabase(reader.port), damage).toEqual(expected);
      expect(reader.errors, damage).toEqual([]);
      const packReads = recorded.calls.filter((c) => c.key.includes("/image/")).length;
      expect(packReads, damage).toBeGreaterThan(0);
      if (damage === "stale") expect(recorded.bytes.read - (await store.head("snapshots/image"))!.size).toBeLessThan(4 * IMAGE_CHUNK_BYTES + 64 * 1024);
      await reader.persistence.releaseLease();
    }
  });

  it("a one-row checkpoint uploads only the chunks that changed, as one pack", async () => {
    const { store, writer, commit } = await checkpointed();
    const before = await imageKeys(store);
    writer.port.exec("UPDATE items SET name = 'changed' WHERE id = 2500");
    await writer.persistence.checkpoint();
    const next = writer.persistence.head!.image!;
    const added = (await imageKeys(store)).filter((k) => !before.includes(k));
    expect(added).toHaveLength(1);
    const changed = next.chunks.filter((hash) => !commit.image!.chunks.includes(hash));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(commit.image!.chunks.length / 2);
    expect((await store.head(added[0]!))!.size).toBe(changed.length * IMAGE_CHUNK_BYTES);
    expect(next.packs.map((p) => p.key)).toEqual([...packKeys(commit.image!), added[0]]);
  });

  it("many small checkpoints keep the image in few packs, and every state restores", async () => {
    const store = createMemoryStore();
    const writer = await open(store);
    writer.port.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, tag BLOB)");
    writer.port.runMany("INSERT INTO items (id, name, tag) VALUES (?, ?, randomblob(40))", Array.from({ length: 40_000 }, (_, i) => [i + 1, `item ${i}`]));
    await writer.persistence.checkpoint();
    let written = 0;
    for (let i = 1; i <= 40; i++) {
      writer.port.exec(`UPDATE items SET name = 'change ${i}' WHERE id = ${((i * 7919) % 40_000) + 1}`);
      const before = await imageKeys(store);
      await writer.persistence.checkpoint();
      for (const key of (await imageKeys(store)).filter((k) => !before.includes(k))) written += (await store.head(key))!.size;
      // Size-tiered merging: sizes about double from newest to oldest.
      expect(writer.persistence.head!.image!.packs.length).toBeLessThanOrEqual(Math.ceil(Math.log2(i + 1)) + 1);
    }
    const image = writer.persistence.head!.image!;
    expect(image.chunks.length).toBeGreaterThan(30);
    // Two changed chunks a checkpoint, each rewritten O(log n) times (and the first pack
    // once, when more than half of it is dead): far from a whole image a checkpoint.
    expect(written).toBeLessThan(40 * 2 * IMAGE_CHUNK_BYTES * Math.log2(40));
    expect(written).toBeLessThan((40 * image.bytes) / 8);
    await writer.persistence.releaseLease();
    for (const sequence of [1, 20, 41]) {
      const reader = await open(store);
      await reader.persistence.restore({ sequence });
      expect(reader.errors).toEqual([]);
      expect(reader.port.query("SELECT count(*), count(*) FILTER (WHERE name LIKE 'change %') FROM items")).toEqual([[40_000n, BigInt(sequence - 1)]]);
    }
    const reader = await open(store);
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
  });

  for (const damage of ["missing", "corrupt"] as const) {
    it(`a ${damage} chunk is reported and the tables are restored instead`, async () => {
      const { store, writer, expected, commit } = await checkpointed();
      await writer.persistence.releaseLease();
      const key = commit.image!.packs[0]!.key;
      const pack = (await store.get(key))!.body;
      if (damage === "missing") await store.delete(key);
      else await store.put(key, pack.map((b, i) => (i === IMAGE_CHUNK_BYTES + 7 ? b ^ 1 : b)));
      const reader = await open(store);
      await reader.persistence.restore();
      expect(dumpDatabase(reader.port)).toEqual(expected);
      expect(reader.errors).toHaveLength(1);
      expect(reader.errors[0]).toBeInstanceOf(CorruptSnapshotError);
      expect((reader.errors[0] as CorruptSnapshotError).key).toBe(key);
      expect((reader.errors[0] as Error).message).toMatch(damage === "missing" ? /missing/ : new RegExp(`bytes at ${IMAGE_CHUNK_BYTES} do not match`));
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

  it("expiry deletes only the packs no kept commit references", async () => {
    const { store, writer } = await checkpointed();
    writer.port.exec("UPDATE items SET name = 'one' WHERE id = 1");
    await writer.persistence.checkpoint();
    writer.port.exec("UPDATE items SET name = 'two' WHERE id = 4000");
    await writer.persistence.checkpoint();
    const result = await writer.persistence.expireSnapshots({ keepLast: 1 });
    expect(result.expired).toEqual([1, 2]);
    expect(await imageKeys(store)).toEqual(packKeys(writer.persistence.head!.image!));
    const reader = await open(store);
    await writer.persistence.releaseLease();
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
    expect(reader.errors).toEqual([]);
  });
});

describe("engine images", () => {
  const kinds = {
    "a connection": (engine: SqliteEngine) => engine.open(),
    "the runtime's suspendable database": (engine: SqliteEngine) => new SuspendableDatabase((image) => engine.open(image)),
  };
  for (const [kind, openDb] of Object.entries(kinds)) {
    it(`${kind}: image() leaves prepared statements usable; stageImage() replaces the database on use()`, async () => {
      const engine = await loadSqliteEngine();
      const db = openDb(engine);
      db.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)", []);
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[1]]);
      const image = db.image()!;
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[1]]);
      expect(engine.open(image).query("SELECT v FROM t")).toEqual([[1]]);

      const other = engine.open();
      other.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (7), (8)", []);
      const staged = db.stageImage(other.image()!);
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[1]]);
      staged.use();
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[7], [8]]);
      expect(() => db.stageImage(new TextEncoder().encode("not a database"))).toThrow();
      db.stageImage(engine.open().image()!).discard();
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[7], [8]]);
      const savepoint = db.savepoint();
      expect(() => db.stageImage(image).use()).toThrow(/inside a transaction/);
      db.endSavepoint(savepoint, true);
      expect(db.execute("SELECT v FROM t", [])?.rows).toEqual([[7], [8]]);
    });
  }

  it("image() is null inside a transaction", async () => {
    const db = (await loadSqliteEngine()).open();
    const savepoint = db.savepoint();
    expect(db.image()).toBeNull();
    db.endSavepoint(savepoint, true);
    expect(db.image()).not.toBeNull();
  });
});
