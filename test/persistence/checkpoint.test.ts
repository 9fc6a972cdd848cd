import { describe, expect, it } from "vitest";
import { enginePort, EngineChanges } from "../../src/runtime/persistence/engine-port";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { countRounds } from "./rounds";
import { dumpDatabase, openDatabase } from "./sqlite";

async function open(store: ObjectStore, options: { chunkRows?: number } = {}) {
  const { db, port } = await openDatabase();
  const persistence = new ObjectPersistence({ store, port, ...options });
  return { db, port, persistence };
}

describe("checkpoint and restore", () => {
  it("restores the newest commit of 24 tables in one round trip", async () => {
    const memory = createMemoryStore();
    const writer = await open(memory);
    expect(await writer.persistence.restore()).toBeNull();
    for (let t = 0; t < 24; t++) {
      writer.port.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t${t} (v) VALUES ('a'), ('b');`);
    }
    writer.port.exec("CREATE INDEX i0 ON t0 (v)");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(1);
    writer.port.exec("INSERT INTO t3 (v) VALUES ('c')");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(2);

    const counted = countRounds(memory);
    const reader = await open(counted.store);
    const commit = await reader.persistence.restore();
    expect(commit?.sequence).toBe(2);
    // The hint carries the commit and its small image; the commit listing beside it shows
    // that no newer commit exists.
    expect(counted.rounds()).toBe(1);
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
  });

  it("finds commits past a stale latest hint, and goes around a damaged one", async () => {
    const memory = createMemoryStore();
    const writer = await open(memory);
    writer.port.exec("CREATE TABLE t (v)");
    const hints: Uint8Array[] = [];
    for (let i = 0; i < 7; i++) {
      writer.port.exec(`INSERT INTO t VALUES (${i})`);
      await writer.persistence.checkpoint();
      hints.push((await memory.get("snapshots/latest"))!.body);
    }
    const current = hints[6]!;
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const [json, sum] = text(current).split("\n");
    const imageAt = json!.length + sum!.length + 2;
    expect(current.length).toBeGreaterThan(imageAt); // this small image rides in the hint
    // The newest commit's copy with an older commit's image record, under its old checksum.
    const claimed = JSON.stringify({ ...JSON.parse(json!), image: JSON.parse(text(hints[2]!).split("\n")[0]!).image });
    const flipped = current.slice();
    flipped[flipped.length - 1]! ^= 1; // in the last page, where the rows are
    const cases = {
      "of the old form": new TextEncoder().encode("1"),
      "of an older commit": hints[2]!,
      "whose commit copy does not match its checksum": new TextEncoder().encode(`${claimed}\n${sum}\n`),
      "without a checksum": new TextEncoder().encode(claimed),
      "cut short": current.subarray(0, 40),
      "with damaged image bytes": flipped,
    };
    for (const [what, hint] of Object.entries(cases)) {
      await memory.put("snapshots/latest", hint);
      const reader = await open(memory);
      expect((await reader.persistence.restore())?.sequence, what).toBe(7);
      expect(dumpDatabase(reader.port), what).toEqual(dumpDatabase(writer.port));
    }
  });

  it("writes only the changed table, and only the data file holding the changed row", async () => {
    const memory = createMemoryStore();
    const writer = await open(memory, { chunkRows: 100 });
    writer.port.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE small (k TEXT PRIMARY KEY, v) WITHOUT ROWID;");
    writer.port.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO big SELECT i, 'row ' || i FROM n");
    writer.port.exec("INSERT INTO small VALUES ('a', 1)");
    const first = await writer.persistence.checkpoint();
    expect(first?.tablesWritten.sort()).toEqual(["big", "small"]);
    expect(writer.persistence.head?.tables.big?.files).toHaveLength(10);

    writer.port.exec("UPDATE big SET v = 'changed' WHERE id = 555");
    const second = await writer.persistence.checkpoint();
    expect(second?.tablesWritten).toEqual(["big"]);
    const head = writer.persistence.head!;
    const written = head.tables.big!.files.filter((f) => f.key.startsWith(head.folder));
    expect(written).toHaveLength(1);
    expect(head.tables.small!.files[0]!.key.startsWith(head.folder)).toBe(false);

    writer.port.exec("INSERT INTO big (v) VALUES ('new'); DELETE FROM big WHERE id <= 150;");
    await writer.persistence.checkpoint();
    expect(await writer.persistence.checkpoint()).toBeNull();

    const reader = await open(memory);
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
  });

  it("runs one checkpoint at a time; a second request joins the next one", async () => {
    const memory = createMemoryStore();
    // Holds the first checkpoint's uploads until the test has asked for more checkpoints.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let uploading!: () => void;
    const started = new Promise<void>((resolve) => (uploading = resolve));
    const gated: ObjectStore = {
      ...memory,
      url: memory.url,
      put: async (key, body, options) => {
        if (key.startsWith("snapshots/seq-1-")) {
          uploading();
          await gate;
        }
        return memory.put(key, body, options);
      },
    };
    const writer = await open(gated);
    writer.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1);");
    const first = writer.persistence.checkpoint();
    await started;
    writer.port.exec("INSERT INTO t VALUES (2)");
    const second = writer.persistence.checkpoint();
    const third = writer.persistence.checkpoint();
    expect(second).toBe(third);
    release();
    // Overlapping runs would both build on no commit and collide on sequence 1.
    expect((await first)?.sequence).toBe(1);
    expect((await second)?.sequence).toBe(2);
    const reader = await open(memory);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t ORDER BY rowid")).toEqual([[1n], [2n]]);
  });

  it("restores tables with foreign keys into a database that enforces them, and keeps enforcing", async () => {
    const memory = createMemoryStore();
    const writer = await open(memory);
    writer.port.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) ON DELETE CASCADE);
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (10, 1), (20, 2);`);
    await writer.persistence.checkpoint();
    const reader = await open(memory);
    reader.port.exec("PRAGMA foreign_keys = ON");
    await reader.persistence.restore();
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
    expect(reader.port.query("PRAGMA foreign_keys")).toEqual([[1n]]);
    reader.port.exec("DELETE FROM parent WHERE id = 1");
    expect(reader.port.query("SELECT id FROM child")).toEqual([[20n]]);
  });

  it("checkpoints a database that held data before persistence was attached", async () => {
    const memory = createMemoryStore();
    const { port } = await openDatabase();
    port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('before');");
    const persistence = new ObjectPersistence({ store: memory, port });
    expect((await persistence.checkpoint())?.tablesWritten).toEqual(["t"]);
    expect(await persistence.checkpoint()).toBeNull();
    const reader = await open(memory);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([["before"]]);
  });

  it("a commit whose answer was lost still counts, and a failed hint update does not undo a commit", async () => {
    const memory = createMemoryStore();
    const failures = { commitAnswer: true, latest: true };
    const flaky: ObjectStore = {
      ...memory,
      url: memory.url,
      put: async (key, body, options) => {
        // Stands in for a network failure: no store here drops answers on its own.
        if (key.startsWith("snapshots/commits/") && failures.commitAnswer) {
          failures.commitAnswer = false;
          await memory.put(key, body, options);
          throw new Error("socket hang up");
        }
        if (key === "snapshots/latest" && failures.latest) {
          failures.latest = false;
          throw new Error("socket hang up");
        }
        return memory.put(key, body, options);
      },
    };
    const errors: unknown[] = [];
    const { port } = await openDatabase();
    const persistence = new ObjectPersistence({ store: flaky, port, onError: (e) => errors.push(e) });
    port.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1);");
    expect((await persistence.checkpoint())?.sequence).toBe(1);
    expect(errors).toHaveLength(1);
    port.exec("INSERT INTO t VALUES (2)");
    expect((await persistence.checkpoint())?.sequence).toBe(2);
    const reader = await open(memory);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t")).toEqual([[1n], [2n]]);
  });

  it("with the runtime engine's per-table changes, rewrites only the data file whose rows changed", async () => {
    const memory = createMemoryStore();
    const db = (await loadSqliteEngine()).open();
    const persistence = new ObjectPersistence({ store: memory, port: enginePort(db), changes: new EngineChanges(db), chunkRows: 100 });
    db.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)", []);
    db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO big SELECT i, 'row ' || i FROM n", []);
    await persistence.checkpoint();
    db.execute("UPDATE big SET v = 'changed' WHERE id = 555", []);
    expect((await persistence.checkpoint())?.tablesWritten).toEqual(["big"]);
    const head = persistence.head!;
    expect(head.tables.big!.files.filter((f) => f.key.startsWith(head.folder))).toHaveLength(1);
    db.close();

    const reader = await open(memory);
    await reader.persistence.restore();
    expect(reader.port.query("SELECT count(*), max(v) FROM big")).toEqual([[1000n, "row 999"]]);
    expect(reader.port.query("SELECT v FROM big WHERE id = 555")).toEqual([["changed"]]);
  });
});
