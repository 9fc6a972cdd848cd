import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { EngineChanges, enginePort } from "../../src/runtime/persistence/engine-port";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";
import { createStore } from "../../src/runtime/storage/create";
import { withPrefix } from "../../src/runtime/storage/prefix";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { createWorker, type Worker } from "../../src/runtime/worker";
import { startS3, type S3TestServer } from "../helpers/s3";
import { dumpDatabase } from "./dump";
import { recordingStore } from "./round-trips";
import * as objects from "./shop";

// The whole path a deployed app takes: a Durable Object writes through ctx.storage, the
// runtime's persistence lifecycle checkpoints it to a store made by createStore (with its
// conditional-write check), and a second worker — a fresh engine — restores it on first use.
// S3 is s3rver behind the test proxy that enforces conditional writes (test/helpers/s3.ts);
// R2 is workerd's own R2 binding through miniflare.

let s3: S3TestServer;
let mf: Miniflare;
let dir: string;
const workers: Worker[] = [];

beforeAll(async () => {
  [s3, dir] = await Promise.all([startS3(), mkdtemp(join(tmpdir(), "dotdo-proof-"))]);
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", r2Buckets: ["B"] });
});

afterEach(async () => {
  await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
});

afterAll(async () => {
  await Promise.all([s3?.close(), mf?.dispose(), rm(dir, { recursive: true, force: true })]);
});

function s3Store(): Promise<ObjectStore> {
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  return createStore({ kind: "s3", bucket: s3.bucket, prefix: crypto.randomUUID(), endpoint: s3.endpoint, region: "auto", forcePathStyle: true, credentials });
}

const backends: Record<string, () => Promise<ObjectStore>> = {
  memory: () => createStore({ kind: "memory" }),
  file: () => createStore({ kind: "file", root: join(dir, crypto.randomUUID()) }),
  s3: s3Store,
  r2: async () => createStore({ kind: "r2", bucket: await mf.getR2Bucket("B"), prefix: crypto.randomUUID() }),
};

async function start(store: ObjectStore, holder: string) {
  const lifecycle = persistenceLifecycle({ store, holder, iceberg: { autoCheckpoint: false }, leaseWaitMs: 0 });
  const worker = await createWorker(objects, { durableObjects: { SHOP: { className: "Shop" } }, lifecycle });
  workers.push(worker);
  const ns = worker.env.SHOP as DurableObjectNamespace<objects.Shop>;
  const id = ns.idFromName("main");
  const live = () => worker.objects.SHOP!.instance(id);
  return { worker, lifecycle, shop: ns.get(id), live, id: id.toString() };
}

/** Data files written by checkpoint `sequence`, as [table slug, key]. */
async function dataFilesWritten(store: ObjectStore, objectId: string, sequence: number): Promise<[string, string][]> {
  const { objects: files } = await store.list(`do/${objectId}/snapshots/seq-${sequence}-`);
  return files.flatMap((f) => {
    const slug = /\/data\/(.+)-\d+\.parquet$/.exec(f.key)?.[1];
    return slug === undefined ? [] : [[slug, f.key] as [string, string]];
  });
}

/** Table slugs with a data file in the checkpoint folder of `sequence`. */
async function tablesWithDataFiles(store: ObjectStore, objectId: string, sequence: number): Promise<string[]> {
  return [...new Set((await dataFilesWritten(store, objectId, sequence)).map(([slug]) => slug))].sort();
}

async function dataFilesOf(store: ObjectStore, objectId: string, sequence: number, slug: string): Promise<string[]> {
  return (await dataFilesWritten(store, objectId, sequence)).filter(([s]) => s === slug).map(([, key]) => key);
}

describe.each(Object.keys(backends))("checkpoint → restore on %s", (backend) => {
  it("after a full and an incremental checkpoint, a fresh engine gets every table, index, trigger, view, KV entry and the alarm back exactly, and can travel back", async () => {
    const store = await backends[backend]!();
    const first = await start(store, "first");
    await first.shop.build();
    await first.shop.addProducts(5_000); // three data files of at most 2,048 rows
    const kv = { "user:1": { name: "Ada", roles: ["admin"], since: new Date(0) }, counter: 7, big: 2n ** 70n, raw: new Uint8Array([0, 1, 255]) };
    await first.shop.remember(kv);
    const alarm = Date.now() + 3_600_000;
    await first.shop.schedule(alarm);
    const handle = first.lifecycle.handleFor((await first.live()).db)!;

    const full = await handle.saveToIceberg();
    const atFull = dumpDatabase((await first.live()).db);
    expect([...full!.tablesWritten].sort()).toEqual(["_cf_KV", "_cf_METADATA", "audit", "order lines", "products", "settings"]);
    // Every table with rows has a data file (audit is still empty; sqlite_sequence is in the commit).
    expect(await tablesWithDataFiles(store, first.id, full!.sequence)).toEqual(["_cf_KV", "_cf_METADATA", "order~20~lines", "products", "settings"]);

    // Incremental: one product repriced (its trigger appends to audit), one KV entry changed.
    await first.shop.reprice();
    await first.shop.remember({ counter: 8 });
    const incremental = await handle.saveToIceberg();
    expect([...incremental!.tablesWritten].sort()).toEqual(["_cf_KV", "audit", "products"]);
    expect(await tablesWithDataFiles(store, first.id, incremental!.sequence)).toEqual(["_cf_KV", "audit", "products"]);
    // Of products' three files only the one holding the changed row is written again.
    expect(await dataFilesOf(store, first.id, incremental!.sequence, "products")).toHaveLength(1);
    expect(await dataFilesOf(store, first.id, full!.sequence, "products")).toHaveLength(3);
    const expected = dumpDatabase((await first.live()).db);
    expect(expected.rows["audit"]).toHaveLength(1);
    await first.worker.dispose();

    const second = await start(store, "second");
    expect(dumpDatabase((await second.live()).db)).toEqual(expected);
    expect(await second.shop.alarmAt()).toBe(alarm);
    expect(Object.fromEntries(await second.shop.recall(Object.keys(kv)))).toEqual({ ...kv, counter: 8 });
    const inStock = await second.shop.inStock();
    expect(inStock.slice(0, 3)).toEqual([{ id: 1, name: "Tea ☕" }, { id: 2, name: "Coffee" }, { id: 100, name: "product 1" }]);
    expect(inStock).toHaveLength(5_002);
    // The restored trigger still fires (it was created after the rows, so it did not on restore).
    await second.shop.reprice();
    expect(dumpDatabase((await second.live()).db).rows["audit"]).toHaveLength(2);

    // Time travel on the restored object: back to the full checkpoint, exactly.
    await second.lifecycle.handleFor((await second.live()).db)!.loadFromIceberg({ sequence: full!.sequence });
    expect(dumpDatabase((await second.live()).db)).toEqual(atFull);
  });
});

/** Checkpoints an object with `tables` user tables to S3, then restores it into a fresh engine, recording every store call. */
async function coldStart(tables: number) {
  const store = await s3Store();
  const writer = await start(store, "writer");
  await writer.shop.build();
  await writer.shop.addTables(tables - 4); // build() makes 4 user tables
  await writer.shop.remember({ k: "v" });
  await writer.lifecycle.handleFor((await writer.live()).db)!.saveToIceberg();
  const expected = dumpDatabase((await writer.live()).db);
  await writer.worker.dispose();

  const db = (await loadSqliteEngine()).open();
  const recorded = recordingStore(withPrefix(store, `do/${writer.id}`));
  const wireBefore = s3.requests.length;
  await new ObjectPersistence({ store: recorded.store, port: enginePort(db), changes: new EngineChanges(db) }).restore();
  const result = {
    userTables: Object.keys(expected.rows).filter((t) => !t.startsWith("_cf_") && !t.startsWith("sqlite_")).length,
    expected,
    restored: dumpDatabase(db),
    rounds: recorded.rounds(),
    dataFilesRead: recorded.calls.filter((c) => c.key.endsWith(".parquet")).length,
    imagePacksRead: recorded.calls.filter((c) => c.key.includes("/image/")).length,
    calls: recorded.calls.length,
    wireRequests: s3.requests.length - wireBefore,
  };
  db.close();
  return result;
}

describe("cold start on S3", () => {
  let small: Awaited<ReturnType<typeof coldStart>>;
  let large: Awaited<ReturnType<typeof coldStart>>;
  beforeAll(async () => {
    small = await coldStart(4);
    large = await coldStart(40);
  }, 60_000);

  it("restores 4 and 40 user tables exactly, every read going over the wire", () => {
    for (const [run, tables] of [[small, 4], [large, 40]] as const) {
      expect(run.userTables).toBe(tables);
      expect(run.restored).toEqual(run.expected);
      // From the commit's SQLite image, small enough to ride in the latest hint: neither its
      // packs nor the Parquet files are fetched.
      expect(run.imagePacksRead).toBe(0);
      expect(run.dataFilesRead).toBe(0);
      expect(run.wireRequests).toBe(run.calls);
    }
  });

  it("takes one round trip with 4 user tables and with 40 (the hint, and the commit listing beside it)", () => {
    expect(small.rounds).toBe(1);
    expect(large.rounds).toBe(1);
  });
});
