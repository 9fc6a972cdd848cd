/**
 * The measuring half of bench/persistence.mjs (which bundles this file and starts s3rver):
 * checkpoint and restore of one object on a store, next to the floor of uploading and
 * downloading the raw SQLite file of the same state.
 */
import initSqlJs, { type Database } from "sql.js";
import { ObjectPersistence } from "../src/runtime/persistence/object-persistence";
import { sqlJsPort } from "../src/runtime/persistence/sqljs-port";
import type { ObjectStore } from "../src/runtime/storage/types";

export interface Figures {
  rows: number;
  checkpointMs: number;
  checkpointBytes: number;
  restoreMs: number;
  restoreBytes: number;
  floorUploadMs: number;
  floorDownloadMs: number;
  floorBytes: number;
  oneRowBytes: number;
  oneRowMs: number;
}

/** Counts the bytes a store moves. */
function metered(store: ObjectStore) {
  const meter = { written: 0, read: 0 };
  const wrapped: ObjectStore = {
    url: store.url,
    get: async (key, options) => {
      const object = await store.get(key, options);
      meter.read += object?.body.length ?? 0;
      return object;
    },
    put: (key, body, options) => {
      meter.written += body.length;
      return store.put(key, body, options);
    },
    delete: (key) => store.delete(key),
    list: (prefix, options) => store.list(prefix, options),
    head: (key) => store.head(key),
  };
  return { store: wrapped, meter };
}

const SQL = await initSqlJs();

function fill(db: Database, rows: number): void {
  db.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag BLOB)");
  db.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
          INSERT INTO items SELECT i, 'item number ' || i, i % 97, i * 0.25, randomblob(8) FROM n`);
}

/** One size on one store; `store` must be empty (a fresh prefix). */
export async function measure(store: ObjectStore, rows: number): Promise<Figures> {
  const source = new SQL.Database();
  fill(source, rows);
  const writer = metered(store);
  const persistence = new ObjectPersistence({ store: writer.store, port: sqlJsPort(source, SQL), holder: "bench" });

  let t = performance.now();
  if (!(await persistence.checkpoint())) throw new Error("the first checkpoint wrote nothing");
  const checkpointMs = performance.now() - t;
  const checkpointBytes = writer.meter.written;

  source.run("UPDATE items SET qty = -1 WHERE id = ?", [Math.ceil(rows / 2)]);
  writer.meter.written = 0;
  t = performance.now();
  await persistence.checkpoint();
  const oneRowMs = performance.now() - t;
  const oneRowBytes = writer.meter.written;
  await persistence.releaseLease();
  persistence.close();

  const reader = metered(store);
  const target = new SQL.Database();
  t = performance.now();
  await new ObjectPersistence({ store: reader.store, port: sqlJsPort(target, SQL) }).restore();
  const restoreMs = performance.now() - t;

  // The floor: the same state as one SQLite file, up and down.
  t = performance.now();
  const image = source.export();
  await store.put("floor/db.sqlite", image);
  const floorUploadMs = performance.now() - t;
  t = performance.now();
  const downloaded = await store.get("floor/db.sqlite");
  new SQL.Database(downloaded!.body).close();
  const floorDownloadMs = performance.now() - t;

  const check = target.exec("SELECT count(*), sum(qty) FROM items")[0]!.values[0];
  const expected = source.exec("SELECT count(*), sum(qty) FROM items")[0]!.values[0];
  if (JSON.stringify(check) !== JSON.stringify(expected)) throw new Error(`restore differs: ${check} vs ${expected}`);
  source.close();
  target.close();
  return {
    rows,
    checkpointMs,
    checkpointBytes,
    restoreMs,
    restoreBytes: reader.meter.read,
    floorUploadMs,
    floorDownloadMs,
    floorBytes: image.length,
    oneRowBytes,
    oneRowMs,
  };
}

export { createFileStore } from "../src/runtime/storage/file";
export { createS3Store } from "../src/runtime/storage/s3";
export { withPrefix } from "../src/runtime/storage/prefix";
