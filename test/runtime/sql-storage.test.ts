import { describe, expect, it } from "vitest";
import { newStorage, thrown } from "./helpers/storage";

const TRANSACTION_MESSAGE =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

describe("storage.sql", () => {
  it("gives a cursor with workerd's methods over one shared position", async () => {
    const { storage } = await newStorage();
    const { sql } = storage;
    sql.exec("CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')");
    const cursor = sql.exec("SELECT a, b FROM t ORDER BY a");
    expect(cursor.columnNames).toEqual(["a", "b"]);
    expect(cursor.next()).toEqual({ done: false, value: { a: 1, b: "x" } });
    expect(cursor.raw().toArray()).toEqual([[2, "y"], [3, "z"]]);
    expect(cursor.next()).toEqual({ done: true });
    expect(cursor.toArray()).toEqual([]);
    expect([...sql.exec("SELECT a FROM t WHERE a > 1 ORDER BY a")]).toEqual([{ a: 2 }, { a: 3 }]);
    expect(sql.exec("SELECT 1 AS a, 2 AS a").toArray()).toEqual([{ a: 2 }]);
    expect(sql.exec("SELECT 1 AS a, 2 AS a").raw().toArray()).toEqual([[1, 2]]);
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 3 });
    expect((await thrown(() => sql.exec("SELECT * FROM t WHERE a = 9").one())).message).toBe(
      "Expected exactly one result from SQL query, but got no results.",
    );
    expect((await thrown(() => sql.exec("SELECT * FROM t").one())).message).toBe(
      "Expected exactly one result from SQL query, but got multiple results.",
    );
    const update = sql.exec("UPDATE t SET b = 'q'");
    expect([update.rowsRead, update.rowsWritten]).toEqual([3, 3]);
    const returning = sql.exec("INSERT INTO t VALUES (4, 'w'), (5, 'v') RETURNING a");
    returning.toArray();
    expect([returning.rowsRead, returning.rowsWritten]).toEqual([4, 2]); // workerd's figures
    expect(sql.databaseSize).toBeGreaterThan(0);
  });

  it("binds and returns values like workerd", async () => {
    const { sql } = (await newStorage()).storage;
    const row = sql.exec(
      "SELECT ? AS t, ? AS bool, ? AS n, ? AS u, ? AS blob, ?/4 AS real, 9007199254740993 AS big",
      "s",
      true,
      null,
      undefined,
      new Uint16Array([1]),
      10,
    ).one();
    expect(row).toMatchObject({ t: "s", bool: "true", n: null, u: null, real: 2.5, big: 9007199254740992 });
    expect(row.blob).toBeInstanceOf(ArrayBuffer);
    expect((row.blob as ArrayBuffer).byteLength).toBe(2);
    expect(await thrown(() => sql.exec("SELECT ?", 1n))).toMatchObject({ name: "TypeError", message: "Cannot convert a BigInt value to a number" });
    expect((await thrown(() => sql.exec("SELECT ?", Symbol("s")))).name).toBe("TypeError");
    expect((await thrown(() => sql.exec("SELECT ?", "a".repeat(2_200_001)))).message).toBe("string or blob too big: SQLITE_TOOBIG");
  });

  it("refuses transaction statements, empty SQL and the reserved tables like workerd", async () => {
    const { storage } = await newStorage();
    const { sql } = storage;
    for (const statement of ["BEGIN", "begin transaction", "COMMIT", "ROLLBACK", "SAVEPOINT a", "RELEASE a", "END"]) {
      expect(await thrown(() => sql.exec(statement))).toMatchObject({ name: "Error", message: TRANSACTION_MESSAGE });
    }
    expect((await thrown(() => sql.exec("  -- nothing"))).message).toBe("SQL code did not contain a statement.");
    expect((await thrown(() => sql.exec("SELECT * FROM _cf_KV"))).message).toBe("no such table: _cf_KV: SQLITE_ERROR");
    await storage.put("k", 1);
    expect((await thrown(() => sql.exec("SELECT * FROM _cf_KV"))).message).toBe("access to _cf_KV.key is prohibited: SQLITE_AUTH");
    expect((await thrown(() => sql.exec("CREATE TABLE _cf_mine(a)"))).message).toBe("not authorized: SQLITE_AUTH");
    expect((await thrown(() => sql.exec("ATTACH DATABASE 'x' AS y"))).message).toBe("not authorized: SQLITE_AUTH");
    expect((await thrown(() => sql.exec("PRAGMA journal_mode"))).message).toBe("not authorized: SQLITE_AUTH");
    expect(sql.exec("PRAGMA foreign_keys").one()).toEqual({ foreign_keys: 1 });
    // A reserved name inside a string literal is just data.
    expect(sql.exec("SELECT '_cf_KV' AS s").one()).toEqual({ s: "_cf_KV" });
  });

  it("runs earlier statements even when a later one fails, as workerd does", async () => {
    const { sql } = (await newStorage()).storage;
    sql.exec("CREATE TABLE t(a)");
    expect((await thrown(() => sql.exec("INSERT INTO t VALUES (1); SELEC; INSERT INTO t VALUES (2)"))).message).toBe(
      'near "SELEC": syntax error at offset 0: SQLITE_ERROR',
    );
    expect(sql.exec("SELECT a FROM t").toArray()).toEqual([{ a: 1 }]);
  });
});

describe("storage.sql edge cases from the conformance suite", () => {
  it("treats a trailing empty statement as no statement and counts rows read so far", async () => {
    const { sql } = (await newStorage()).storage;
    expect((await thrown(() => sql.exec("SELECT 1 AS a;;  ; "))).message).toBe("SQL code did not contain a statement.");
    expect(sql.exec("SELECT 1 AS a;  ").one()).toEqual({ a: 1 });
    const cursor = sql.exec("SELECT 1 AS a UNION ALL SELECT 2 UNION ALL SELECT 3");
    expect(cursor.rowsRead).toBe(1);
    expect(cursor[Symbol.iterator]()).not.toBe(cursor);
    cursor.toArray();
    expect(cursor.rowsRead).toBe(3);
  });
});

describe("storage.sql statement cache", () => {
  it("reports a statement prepared by an earlier exec of the same text, as workerd's reusedCachedQueryForTest does", async () => {
    const { sql } = (await newStorage()).storage;
    const isCached = (query: string) => {
      const cursor = sql.exec(query);
      cursor.toArray();
      return cursor.reusedCachedQueryForTest;
    };
    expect([isCached("SELECT 179321"), isCached("SELECT 179321"), isCached("SELECT 179321")]).toEqual([false, true, true]);
    const computed = `SELECT "${"x".repeat(4)}"`;
    expect([isCached(computed), isCached(computed)]).toEqual([false, true]);
    expect(isCached("SELECT 1; SELECT 179321")).toBe(false);
  });

  it("carries out a PRAGMA every time it is run (SQLite sets a pragma while preparing it)", async () => {
    const { db, storage } = await newStorage();
    const { sql } = storage;
    sql.exec("CREATE TABLE t (a)");
    for (let round = 0; round < 3; round++) {
      // Switched off at every commit, on again by the same text.
      sql.exec("INSERT INTO t VALUES (1)");
      sql.exec("PRAGMA defer_foreign_keys = ON");
      expect(sql.exec("PRAGMA defer_foreign_keys").one()).toEqual({ defer_foreign_keys: 1 });
      db.commit();
      expect(sql.exec("PRAGMA defer_foreign_keys").one()).toEqual({ defer_foreign_keys: 0 });
    }
  });
});

describe("storage.sql isolation", () => {
  it("refuses a process-wide pragma before SQLite prepares it, so other databases keep working", async () => {
    const hostile = (await newStorage()).storage.sql;
    for (const statement of ["PRAGMA hard_heap_limit = 1024", "PRAGMA soft_heap_limit = 1024", "PRAGMA main.threads = 4", "PRAGMA Foreign_Keys = 1"]) {
      expect((await thrown(() => hostile.exec(statement))).message).toBe("not authorized: SQLITE_AUTH");
    }
    expect((await thrown(() => hostile.exec("PRAGMA foreign_keys = 'maybe'"))).message).toBe("not authorized: SQLITE_AUTH");
    expect((await thrown(() => hostile.exec("PRAGMA table_info = _cf_KV"))).message).toBe("not authorized: SQLITE_AUTH");
    expect(hostile.exec("PRAGMA foreign_keys = off").toArray()).toEqual([]);
    expect(hostile.exec("PRAGMA optimize(0x7fffffff)").toArray()).toEqual([]);
    const bystander = (await newStorage()).storage.sql;
    bystander.exec("CREATE TABLE t (b BLOB)");
    bystander.exec("INSERT INTO t VALUES (zeroblob(1000000))");
    expect(bystander.exec("SELECT length(b) AS n FROM t").one()).toEqual({ n: 1_000_000 });
  });

  it("judges each statement of a multi-statement exec before preparing it", async () => {
    const { sql } = (await newStorage()).storage;
    expect((await thrown(() => sql.exec("CREATE TABLE a (x); PRAGMA hard_heap_limit = 1024; CREATE TABLE b (x)"))).message).toBe(
      "not authorized: SQLITE_AUTH",
    );
    expect(sql.exec("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')").toArray()).toEqual([{ name: "a" }]);
    expect(sql.exec("SELECT length(zeroblob(2000000)) AS n").one()).toEqual({ n: 2_000_000 });
  });
});

describe("storage.sql commits", () => {
  it("rolls back a commit after the task that leaves a deferred foreign key violated, and reports it at the next commit", async () => {
    const { db, storage } = await newStorage();
    const { sql } = storage;
    sql.exec("CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE posts (id INTEGER PRIMARY KEY, uid INTEGER REFERENCES users (id))");
    await new Promise((resolve) => setTimeout(resolve, 5));
    storage.transactionSync(() => {
      sql.exec("PRAGMA defer_foreign_keys = ON");
      sql.exec("INSERT INTO posts (uid) VALUES (7)");
    });
    // The implicit transaction's commit after this task fails: no uncaught exception, the row is gone.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sql.exec("SELECT count(*) AS n FROM posts").one()).toEqual({ n: 0 });
    expect((await thrown(() => db.commit())).message).toBe(
      "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
    );
    sql.exec("INSERT INTO users VALUES (1)");
    expect(() => db.commit()).not.toThrow();
  });
});

describe("storage.sql refusals observed on workerd", () => {
  it("refuses functions, modules, TEMP objects and pragmas as workerd does", async () => {
    const { sql } = (await newStorage()).storage;
    expect((await thrown(() => sql.exec("SELECT sqlite_version() AS v"))).message).toBe(
      "not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR",
    );
    expect((await thrown(() => sql.exec("SELECT median(1)"))).message).toBe("no such function: median at offset 7: SQLITE_ERROR");
    expect((await thrown(() => sql.exec("SELECT load_extension('x')"))).message).toBe("not authorized: SQLITE_ERROR");
    for (const statement of [
      "CREATE VIRTUAL TABLE v USING fts4(a)",
      "CREATE TEMP TABLE t(a)",
      "SELECT * FROM pragma_journal_mode",
      "PRAGMA user_version",
    ]) {
      expect((await thrown(() => sql.exec(statement))).message).toBe("not authorized: SQLITE_AUTH");
    }
    // Names that merely look like those functions are fine.
    sql.exec("CREATE TABLE median(reverse INTEGER); INSERT INTO median (reverse) VALUES (1)");
    expect(sql.exec("PRAGMA table_info(median)").toArray()).toHaveLength(1);
    expect(sql.exec("SELECT * FROM pragma_table_list WHERE name = 'median'").toArray()).toHaveLength(1);
  });
});
