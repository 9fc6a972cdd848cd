import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { SqliteError, SqlResultTooLargeError, SqlTimeLimitError } from "../../src/runtime/sqlite/errors";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";
import { loadSqlJs } from "../../src/runtime/sqlite/sqljs-loader";
import type { SqliteEngine, StatementPolicy } from "../../src/runtime/sqlite/types";

let engine: SqliteEngine;
beforeAll(async () => {
  engine = await loadSqliteEngine();
});

/** A policy that allows everything: the statements run as user SQL, under its limits. */
const userSql: StatementPolicy = { beforePrepare() {}, prepared() {}, beforeRun() {} };

function error(run: () => unknown): Error {
  try {
    run();
  } catch (caught) {
    return caught as Error;
  }
  throw new Error("expected a throw");
}

describe("sql.js engine", () => {
  it("shares one compiled module across loads and databases", async () => {
    const first = await loadSqlJs();
    const wasm = await readFile(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"));
    // Already loaded: a second source is ignored and the same module comes back.
    const compiled = new (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => WebAssembly.Module } }).WebAssembly.Module(wasm);
    expect(await loadSqlJs(compiled)).toBe(first);
  });

  it("runs several statements and returns the last one's rows", () => {
    const db = engine.open();
    const result = db.execute("CREATE TABLE t(a INTEGER, b); INSERT INTO t VALUES (1,'x'),(2,'y'); SELECT * FROM t", []);
    expect(result).toMatchObject({ columnNames: ["a", "b"], rows: [[1, "x"], [2, "y"]], rowsRead: 2, rowsWritten: 0 });
    expect(db.execute("UPDATE t SET b = 'z'", [])).toMatchObject({ columnNames: [], rows: [], rowsRead: 2, rowsWritten: 2 });
    expect(db.execute("  -- nothing\n ;", [])).toBeUndefined();
  });

  it("binds numbers as REAL like workerd, and reads BLOBs as ArrayBuffer", () => {
    const db = engine.open();
    expect(db.execute("SELECT ?/4 AS d, typeof(?) AS t", [10, 3])?.rows).toEqual([[2.5, "real"]]);
    const [[blob, empty, big]] = db.execute("SELECT x'0102', ?, 9007199254740993", [new Uint8Array(0)])!.rows as [unknown[]];
    expect(blob).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(blob as ArrayBuffer)]).toEqual([1, 2]);
    expect(empty).toBeInstanceOf(ArrayBuffer);
    expect(big).toBe(9007199254740992);
  });

  it("checks parameter counts with workerd's messages", () => {
    const db = engine.open();
    expect(error(() => db.execute("SELECT ?", [1, 2])).message).toBe("Wrong number of parameter bindings for SQL query.");
    expect(error(() => db.execute("SELECT ?, ?", [1])).message).toBe("Wrong number of parameter bindings for SQL query.");
    expect(error(() => db.execute("SELECT ?; SELECT 1", [1])).message).toBe(
      "When executing multiple SQL statements in a single call, only the last statement can have parameters.",
    );
  });

  it("reports SQLite errors in workerd's format", () => {
    const db = engine.open();
    const syntax = error(() => db.execute("SELECT 1; SELEC 1", []));
    expect(syntax).toBeInstanceOf(SqliteError);
    expect(syntax.message).toBe('near "SELEC": syntax error at offset 0: SQLITE_ERROR');
    expect(error(() => db.execute("SELECT nope FROM sqlite_master", [])).message).toBe(
      "no such column: nope at offset 7: SQLITE_ERROR",
    );
    db.execute("CREATE TABLE u(a UNIQUE, b INTEGER PRIMARY KEY); INSERT INTO u VALUES (1, 1)", []);
    expect(error(() => db.execute("INSERT INTO u VALUES (1, 2)", [])).message).toBe(
      "UNIQUE constraint failed: u.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
    );
    expect(error(() => db.execute("INSERT INTO u VALUES (2, 1)", [])).message).toBe(
      "UNIQUE constraint failed: u.b: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
    );
    expect(error(() => db.execute(`SELECT 1${" ".repeat(100_000)}`, [])).message).toBe("statement too long: SQLITE_TOOBIG");
  });

  it("enforces foreign keys like workerd", () => {
    const db = engine.open();
    db.execute("CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(pid REFERENCES p(id))", []);
    expect(error(() => db.execute("INSERT INTO c VALUES (5)", [])).message).toBe(
      "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
    );
  });

  it("tracks changed tables and a write counter", () => {
    const db = engine.open();
    db.execute("CREATE TABLE a(x); CREATE TABLE b(x)", []);
    let changes = db.takeChanges();
    expect(changes.schemaChanged).toBe(true);
    db.execute("INSERT INTO a VALUES (1), (2)", []);
    changes = db.takeChanges();
    expect([...changes.tables]).toEqual(["a"]);
    expect(changes.rowids).toEqual(new Map([["a", new Set([1n, 2n])]]));
    expect(changes).toMatchObject({ unattributed: false, schemaChanged: false, writes: 2 });
    const before = db.writeCount;
    db.execute("CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO w VALUES (1, 2)", []);
    expect(db.writeCount).toBeGreaterThan(before);
    // DDL alone counts (it changes no row), behind a comment too; reads and a no-op DDL do not.
    const beforeDdl = db.writeCount;
    db.execute("/* add */ CREATE INDEX wv ON w(v)", []);
    const afterDdl = db.writeCount;
    expect(afterDdl).toBeGreaterThan(beforeDdl);
    db.execute("SELECT * FROM w; CREATE TABLE IF NOT EXISTS a(x); PRAGMA table_info(w)", []);
    expect(db.writeCount).toBe(afterDdl);
    // WITHOUT ROWID tables escape the update hook: the change set says so.
    expect(db.takeChanges()).toMatchObject({ unattributed: true, schemaChanged: true });
    db.noteWrite("w", 1);
    const noted = db.takeChanges();
    expect([...noted.tables]).toEqual(["w"]);
    // Written by the runtime itself: no rowids, the table is read whole.
    expect(noted.rowids.has("w")).toBe(false);
  });

  it("refuses an image that is not a SQLite database with a typed error", () => {
    const bad = new TextEncoder().encode("not a database at all, but long enough to have a header".repeat(20));
    expect(error(() => engine.open(bad))).toMatchObject({ code: "SQLITE_NOTADB", message: "file is not a database: SQLITE_NOTADB" });
  });

  it("exports and reopens the database image", () => {
    const db = engine.open();
    db.execute("CREATE TABLE t(a); INSERT INTO t VALUES ('kept')", []);
    expect(db.size).toBeGreaterThan(0);
    const copy = engine.open(db.export());
    expect(copy.execute("SELECT a FROM t", [])?.rows).toEqual([["kept"]]);
    db.close();
    copy.close();
  });
});

describe("sql.js engine limits", () => {
  const selectParams = (n: number) => `SELECT ${Array.from({ length: n }, () => "?").join(",")}`;

  it("applies workerd's limits on parameters and value length to user SQL", () => {
    const db = engine.open();
    expect(error(() => db.execute(selectParams(101), Array(101).fill(1), userSql)).message).toBe(
      "too many SQL variables at offset 207: SQLITE_ERROR",
    );
    expect(db.execute(selectParams(100), Array(100).fill(1), userSql)?.rows).toHaveLength(1);
    expect(error(() => db.execute("SELECT zeroblob(2200001)", [], userSql)).message).toBe("string or blob too big: SQLITE_TOOBIG");
    const doubling = "WITH RECURSIVE c(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM c WHERE n < 40) SELECT max(length(s)) FROM c";
    expect(error(() => db.execute(doubling, [], userSql)).message).toBe("string or blob too big: SQLITE_TOOBIG");
    expect(db.size).toBeGreaterThan(0);
  });

  it("leaves SQLite's own limits to the runtime's statements, also after user SQL failed", () => {
    const db = engine.open();
    error(() => db.execute("SELECT zeroblob(2200001)", [], userSql));
    expect(db.execute(selectParams(101), Array(101).fill(1))?.rows).toHaveLength(1);
    expect(db.query("SELECT length(zeroblob(2200001))")).toEqual([[2200001]]);
  });
});

describe("sql.js engine time limit", () => {
  const endless = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c";

  it("interrupts a statement of user SQL that runs past the limit, and leaves other databases alone", async () => {
    const bounded = await loadSqliteEngine(undefined, 200);
    const bystander = bounded.open();
    bystander.execute("CREATE TABLE t (n); INSERT INTO t VALUES (1)", []);
    bystander.commit();
    const hostile = bounded.open();
    const started = performance.now();
    const interrupted = error(() => hostile.execute(endless, [], userSql));
    expect(interrupted).toBeInstanceOf(SqlTimeLimitError);
    expect(interrupted).toMatchObject({ code: "SQL_TIME_LIMIT", limitMs: 200 });
    // Not before the limit (a busy machine can only make it later).
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(hostile.execute("SELECT 2", [], userSql)?.rows).toEqual([[2]]);
    expect(bystander.execute("SELECT n FROM t", [], userSql)?.rows).toEqual([[1]]);
  });

  it("leaves the runtime's own statements and bounded work unbounded", async () => {
    const bounded = await loadSqliteEngine(undefined, 60_000);
    const db = bounded.open();
    const many = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 200000) SELECT count(*) FROM c";
    expect(db.execute(many, [], userSql)?.rows).toEqual([[200000]]);
    const strict = (await loadSqliteEngine(undefined, 1)).open();
    expect(strict.query(many)).toEqual([[200000]]);
  });
});

describe("sql.js engine result size", () => {
  const blobs = (n: number) => `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT ${n}) SELECT zeroblob(2000000) FROM c`;

  it("stops a statement of user SQL whose rows come to more than an object's memory", () => {
    const db = engine.open();
    // 200 MB of rows: read lazily on workerd, all at once here, so stopped at 128 MiB.
    const stopped = error(() => db.execute(blobs(100), [], userSql));
    expect(stopped).toBeInstanceOf(SqlResultTooLargeError);
    expect(stopped.message).toBe(
      "SQL statement's rows came to more than 128 MiB, a Durable Object's memory limit, so it was stopped; the Durable Object was reset",
    );
    expect(db.execute(blobs(3), [], userSql)?.rows).toHaveLength(3);
  });
});

describe("sql.js engine statement caches", () => {
  it("stay bounded under ever-new SQL text and keep answering", () => {
    const db = engine.open();
    for (let i = 0; i < 300; i++) {
      expect(db.query(`SELECT ${i} AS v`)).toEqual([[i]]);
      expect(db.execute(`SELECT ${i} AS v`, [])?.rows).toEqual([[i]]);
    }
    expect(db.execute("SELECT 0 AS v", [])?.rows).toEqual([[0]]);
    db.close();
  });
});

describe("sql.js engine rowids", () => {
  it("accepts rowids beyond 2^53, as workerd does, and still tracks the table", () => {
    const db = engine.open();
    db.execute("CREATE TABLE big(x)", []);
    db.takeChanges();
    db.execute("INSERT INTO big(rowid, x) VALUES (1152921504606846976, 'a')", []);
    expect(db.execute("SELECT CAST(rowid AS TEXT) AS id, x FROM big", [])?.rows).toEqual([["1152921504606846976", "a"]]);
    const changes = db.takeChanges();
    expect([...changes.tables]).toEqual(["big"]);
    expect(changes.rowids.get("big")).toEqual(new Set([1152921504606846976n]));
    db.close();
  });

  it("reports an open savepoint as a transaction in progress", () => {
    const db = engine.open();
    expect(db.inTransaction).toBe(false);
    const savepoint = db.savepoint();
    expect(db.inTransaction).toBe(true);
    db.endSavepoint(savepoint, true);
    expect(db.inTransaction).toBe(false);
    db.close();
  });
});
