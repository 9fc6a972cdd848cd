import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { icebergRead } from "icebird";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createFileStore } from "../../src/runtime/storage/file";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { serveDirectory } from "../iceberg/static-server";
import { openDatabase } from "./sqlite";

// Independent readers: icebird opens each table as a plain Iceberg table over HTTP (so the
// object's location is the local server's URL), DuckDB reads the Parquet data files.
let dir: string;
let server: { url: string; close: () => Promise<void> };
let store: ObjectStore;
let persistence: ObjectPersistence;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dotdo-readers-"));
  server = await serveDirectory(dir);
  store = await createFileStore(dir);
  const { port } = await openDatabase();
  persistence = new ObjectPersistence({ store, port, location: server.url, chunkRows: 2 });
  port.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, score REAL, avatar BLOB, extra);
    INSERT INTO users VALUES (1, 'Ada', 1.5, x'00ff', 'text'), (2, 'Grace', NULL, NULL, 42), (3, 'Linus', -2.25, x'', NULL);
    CREATE TABLE "odd name" (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
    INSERT INTO "odd name" VALUES ('a', 1);
  `);
  await persistence.checkpoint();
  port.exec(`INSERT INTO "odd name" VALUES ('b', 2)`);
  await persistence.checkpoint();
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("independent readers see the same rows", () => {
  it("icebird reads every table of the checkpoint, including one whose files were carried over", async () => {
    const users = await icebergRead({ tableUrl: `${server.url}/tables/users` });
    expect(users.map((r) => [r["_dotdo_rowid"], r["id"], r["name"], r["score"], r["extra"], r["_dotdo_other"]])).toEqual([
      [1n, 1n, "Ada", 1.5, "text", null],
      [2n, 2n, "Grace", null, null, '{"extra":["i","42"]}'],
      [3n, 3n, "Linus", -2.25, null, null],
    ]);
    const odd = await icebergRead({ tableUrl: `${server.url}/tables/${persistence.head!.tables["odd name"]!.slug}` });
    expect(odd.map((r) => [r["k"], r["v"], r["_dotdo_other"]])).toEqual([
      ["a", null, '{"v":["i","1"]}'],
      ["b", null, '{"v":["i","2"]}'],
    ]);
  });

  it("DuckDB reads the data files with the declared column types", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    try {
      const file = join(dir, persistence.head!.tables.users!.files[0]!.key);
      const types = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
      expect(types.map((t) => [t["column_name"], t["column_type"]])).toEqual([
        ["_dotdo_rowid", "BIGINT"],
        ["id", "BIGINT"],
        ["name", "VARCHAR"],
        ["score", "DOUBLE"],
        ["avatar", "BLOB"],
        ["extra", "VARCHAR"],
        ["_dotdo_other", "VARCHAR"],
      ]);
      const all = persistence.head!.tables.users!.files.map((f) => `'${join(dir, f.key)}'`).join(", ");
      const rows = (await db.runAndReadAll(`SELECT id, name FROM read_parquet([${all}]) ORDER BY id`)).getRowsJS();
      expect(rows).toEqual([[1n, "Ada"], [2n, "Grace"], [3n, "Linus"]]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});
