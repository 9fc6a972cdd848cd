/**
 * The measuring half of bench/checkpoint.mjs (which bundles this file and starts the stores).
 * Everything runs the product's own path: a Durable Object fills its table through
 * ctx.storage.sql in the runtime, the persistence lifecycle (with the engine's change
 * tracking) checkpoints it, and a fresh engine restores it, as a cold start does.
 */
import initSqlJs from "sql.js";
import { EngineChanges, enginePort } from "../src/runtime/persistence/engine-port";
import { persistenceLifecycle } from "../src/runtime/persistence/lifecycle";
import { ObjectPersistence } from "../src/runtime/persistence/object-persistence";
import { readImage } from "../src/runtime/persistence/image-read";
import { commitKey, LEFT_IMAGE_KEY } from "../src/runtime/persistence/keys";
import { readLatestCommit } from "../src/runtime/persistence/latest";
import { sqlJsPort } from "../src/runtime/persistence/sqljs-port";
import { loadSqliteEngine } from "../src/runtime/sqlite/sqljs-engine";
import { SuspendableDatabase } from "../src/runtime/sqlite/suspendable-database";
import type { SqliteDatabase } from "../src/runtime/sqlite/types";
import { withPrefix } from "../src/runtime/storage/prefix";
import type { ObjectStore } from "../src/runtime/storage/types";
import type { DurableObjectId, DurableObjectNamespace } from "../src/runtime/index";
import { createWorker } from "../src/runtime/worker";
import { recordingStore, type RecordingStore } from "../test/persistence-proof/round-trips";
import * as objects from "./checkpoint.object";

export interface Figures {
  rows: number;
  checkpointMs: number;
  checkpointBytes: number;
  checkpointFiles: number;
  /** Written by a clean stop: the image left for the next start. */
  stopBytes: number;
  /** A cold start after that clean stop. */
  restoreMs: number;
  restoreBytes: number;
  /** Sequential round trips of the restore (calls in flight together count once). */
  restoreRounds: number;
  /** A cold start after a crash: no image left. */
  crashRestoreMs: number;
  crashRestoreBytes: number;
  crashRestoreRounds: number;
  /** Of the restore: reading the image's packs (all ranges at once) and checking each chunk's SHA-256. */
  imageMs: number;
  floorBytes: number;
  /** `export()` + one PUT. */
  floorUploadMs: number;
  /** One GET + opening the image. */
  floorDownloadMs: number;
  oneRowMs: number;
  oneRowBytes: number;
}

const engine = await loadSqliteEngine();
const SQL = await initSqlJs();
const CHECK = "SELECT count(*), sum(qty), total(price), sum(length(tag)), sum(unicode(substr(name, 13))) FROM items";

function check(db: SqliteDatabase, expected: string, what: string): void {
  const got = JSON.stringify(db.query(CHECK));
  if (got !== expected) throw new Error(`${what} differs from the source: ${got} vs ${expected}`);
}

/**
 * A full collection before a timed phase, so no phase pays for the garbage of the one before,
 * then a pause for the collector's background sweeping to finish.
 */
async function collect(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

function since(start: number): number {
  return performance.now() - start;
}

/** One size on one store; `store` should be empty or at least not hold this size yet. */
export async function measure(store: ObjectStore, rows: number): Promise<Figures> {
  const recorded = recordingStore(store);
  const lifecycle = persistenceLifecycle({ store: recorded.store, holder: "bench", iceberg: { autoCheckpoint: false }, retention: false, leaseWaitMs: 0 });
  const worker = await createWorker(objects, { durableObjects: { ITEMS: { className: "Items" } }, lifecycle });
  const ns = worker.env.ITEMS as DurableObjectNamespace<objects.Items>;
  const id = ns.idFromName(`rows-${rows}`);
  const stub = ns.get(id);
  await stub.fill(rows);
  const live = await worker.objects.ITEMS!.instance(id);
  const handle = lifecycle.handleFor(live.db)!;

  recorded.reset();
  let t = performance.now();
  if (!(await handle.saveToIceberg())) throw new Error("the first checkpoint wrote nothing");
  const checkpointMs = since(t);
  const checkpointBytes = recorded.bytes.written;
  const checkpointFiles = recorded.calls.filter((c) => c.key.endsWith(".parquet")).length;

  await stub.touch(Math.ceil(rows / 2));
  recorded.reset();
  t = performance.now();
  await handle.saveToIceberg();
  const oneRowMs = since(t);
  const oneRowBytes = recorded.bytes.written;
  const expected = JSON.stringify(live.db.query(CHECK));

  // The floor: the same state as one SQLite file, to the same store and back.
  const floorKey = `floor/rows-${rows}.sqlite`;
  t = performance.now();
  const image = live.db.export();
  await store.put(floorKey, image);
  const floorUploadMs = since(t);
  // A clean stop: the final checkpoint (nothing left to commit) and the image left for the next start.
  recorded.reset();
  await worker.dispose();
  const stopBytes = recorded.bytes.written;

  await collect();
  t = performance.now();
  const downloaded = await store.get(floorKey);
  const opened = engine.open(downloaded!.body);
  const floorDownloadMs = since(t);
  check(opened, expected, "the downloaded SQLite file");
  opened.close();

  const restored = await coldStart(recorded, id, expected);
  // After a crash no image is left: the restore reads the packs.
  await store.delete(`do/${id}/${LEFT_IMAGE_KEY}`);
  const crashed = await coldStart(recorded, id, expected);
  const imageMs = await timeImageRead(withPrefix(store, `do/${id}`));

  return {
    rows,
    checkpointMs,
    checkpointBytes,
    checkpointFiles,
    stopBytes,
    restoreMs: restored.ms,
    restoreBytes: restored.bytes,
    restoreRounds: restored.rounds,
    crashRestoreMs: crashed.ms,
    crashRestoreBytes: crashed.bytes,
    crashRestoreRounds: crashed.rounds,
    imageMs,
    floorBytes: image.length,
    floorUploadMs,
    floorDownloadMs,
    oneRowMs,
    oneRowBytes,
  };
}

/** A cold start of object `id`, as the runtime holds every object's database (restoring opens a connection on the image). */
async function coldStart(recorded: RecordingStore, id: DurableObjectId, expected: string): Promise<{ ms: number; bytes: number; rounds: number }> {
  const target = new SuspendableDatabase((bytes) => engine.open(bytes));
  recorded.reset();
  await collect();
  const t = performance.now();
  await new ObjectPersistence({ store: withPrefix(recorded.store, `do/${id}`), port: enginePort(target), changes: new EngineChanges(target) }).restore();
  const ms = since(t);
  check(target, expected, "the restored database");
  target.close();
  return { ms, bytes: recorded.bytes.read, rounds: recorded.rounds() };
}

/** The part of a restore spent reading the newest commit's image: its pack ranges and the chunk checks. */
async function timeImageRead(store: ObjectStore): Promise<number> {
  const commit = (await readLatestCommit(store))!;
  await collect();
  const t = performance.now();
  await (await readImage(store, commit.image!, commitKey(commit.sequence))).checked;
  return since(t);
}

/**
 * The same one-row change with row-level change tracking (persistence's `ChangeTracker` on an
 * update hook, on sql.js directly): what a checkpoint writes once the runtime's engine reports
 * changed rowids instead of changed tables. Returns the bytes of the full and one-row checkpoints.
 */
export async function measureRowLevel(store: ObjectStore, rows: number): Promise<{ fullBytes: number; oneRowBytes: number; oneRowMs: number }> {
  const recorded = recordingStore(store);
  const db = new SQL.Database();
  db.run(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag BLOB)`);
  db.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.floor(rows)})
          INSERT INTO items SELECT i, 'item number ' || i, i % 97, i * 0.25, randomblob(8) FROM n`);
  const persistence = new ObjectPersistence({ store: recorded.store, port: sqlJsPort(db, SQL), holder: "bench-row-level" });
  await persistence.checkpoint();
  const fullBytes = recorded.bytes.written;
  db.run("UPDATE items SET qty = -1 WHERE id = ?", [Math.ceil(rows / 2)]);
  recorded.reset();
  const t = performance.now();
  await persistence.checkpoint();
  const oneRowMs = since(t);
  const oneRowBytes = recorded.bytes.written;
  await persistence.releaseLease();
  persistence.close();
  db.close();
  return { fullBytes, oneRowBytes, oneRowMs };
}

export { createStore } from "../src/runtime/storage/create";
export { withPrefix } from "../src/runtime/storage/prefix";
