import { afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import type { ObjectRef } from "../../src/runtime/namespace/lifecycle";
import { SuspendableDatabase } from "../../src/runtime/sqlite/suspendable-database";
import type { SqliteDatabase } from "../../src/runtime/sqlite/types";
import { createWorker, type CreateWorkerOptions, type Worker } from "../../src/runtime/worker";
import * as objects from "./helpers/objects";
import { until } from "./helpers/wait";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.dispose()));
});

async function start(options: Partial<CreateWorkerOptions> = {}) {
  const worker = await createWorker(objects, {
    durableObjects: { NOTES: { className: "Notes" }, COUNTER: { className: "Counter" } },
    ...options,
  });
  workers.push(worker);
  return worker;
}

describe("idle database suspension", () => {
  it("closes an idle object's connection and reopens it on use, keeping fields and changes", async () => {
    const opened: SqliteDatabase[] = [];
    const worker = await start({ suspendAfterMs: 10, lifecycle: { opened: (_ref, db) => void opened.push(db) } });
    const notes = (worker.env.NOTES as DurableObjectNamespace<objects.Notes>).getByName("sleepy");
    const counter = (worker.env.COUNTER as DurableObjectNamespace<objects.Counter>).getByName("sleepy");
    await notes.add("a");
    expect(await counter.bumpInstance()).toBe(101);
    const db = opened[0] as SuspendableDatabase;
    expect(db).toBeInstanceOf(SuspendableDatabase);
    const writesBefore = db.writeCount;
    await until(() => opened.every((handle) => (handle as SuspendableDatabase).suspended));
    expect(db.writeCount).toBe(writesBefore);
    expect(await notes.add("b")).toBe(2);
    expect(db.suspended).toBe(false);
    expect(db.writeCount).toBeGreaterThan(writesBefore);
    const changes = db.takeChanges();
    expect([...changes.tables].sort()).toEqual(["notes"]);
    // Rows written before and after the suspension are both known.
    expect(changes.rowids.get("notes")).toEqual(new Set([1n, 2n]));
    // Same instance: its in-memory field carried on.
    expect(await counter.bumpInstance()).toBe(102);
    // Reopened outside any event (as a checkpoint reading tables would): suspended again later.
    await until(() => db.suspended);
    db.query("SELECT count(*) FROM notes");
    expect(db.suspended).toBe(false);
    await until(() => db.suspended);
  });
});

describe("idle eviction", () => {
  it("evicts idle objects and brings them back with their state", async () => {
    const worker = await start({ evictAfterMs: 20 });
    const notes = (worker.env.NOTES as DurableObjectNamespace<objects.Notes>).getByName("kept");
    const counter = (worker.env.COUNTER as DurableObjectNamespace<objects.Counter>).getByName("fresh");
    expect(await notes.add("a")).toBe(1);
    expect(await counter.bumpInstance()).toBe(101);
    await until(() => worker.objects.NOTES!.liveIds.length === 0 && worker.objects.COUNTER!.liveIds.length === 0);
    // The same stubs reach new instances: SQL state is back, in-memory fields start over.
    expect(await notes.add("b")).toBe(2);
    expect(await notes.all()).toEqual(["a", "b"]);
    expect(await counter.bumpInstance()).toBe(101);
  });

  it("runs beforeEvict with the database before dropping an object, and on dispose", async () => {
    const evicted: { ref: ObjectRef; tables: unknown }[] = [];
    const beforeEvict = async (ref: ObjectRef, db: SqliteDatabase) => {
      evicted.push({ ref, tables: db.query("SELECT name FROM sqlite_master WHERE type = 'table'") });
    };
    const worker = await start({ lifecycle: { beforeEvict } });
    const ns = worker.env.NOTES as DurableObjectNamespace<objects.Notes>;
    await ns.getByName("one").add("x");
    await worker.objects.NOTES!.evict(ns.idFromName("one").toString());
    expect(evicted).toEqual([{ ref: { namespace: "Notes", id: ns.idFromName("one").toString(), name: "one" }, tables: [["notes"]] }]);
    await ns.getByName("two").add("y");
    await worker.dispose();
    expect(evicted.map(({ ref }) => ref.name)).toEqual(["one", "two"]);
  });

  it("holds calls that arrive during beforeEvict until the object is reopened from what was saved", async () => {
    const saved = new Map<string, Uint8Array>();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const worker = await start({
      lifecycle: {
        load: async (ref) => saved.get(ref.id),
        beforeEvict: async (ref, db) => {
          saved.set(ref.id, db.export());
          await blocked;
        },
      },
    });
    const ns = worker.env.NOTES as DurableObjectNamespace<objects.Notes>;
    const stub = ns.getByName("busy");
    await stub.add("before");
    const eviction = worker.objects.NOTES!.evict(stub.id.toString());
    const during = stub.add("during");
    release();
    await eviction;
    expect(await during).toBe(2);
    expect(await stub.all()).toEqual(["before", "during"]);
  });

  it("lets a running event finish before dispose evicts its object", async () => {
    const saved: string[][] = [];
    const worker = await start({
      lifecycle: { beforeEvict: async (_ref, db) => void saved.push(db.query("SELECT text FROM notes").map(([text]) => String(text))) },
    });
    const notes = (worker.env.NOTES as DurableObjectNamespace<objects.Notes>).getByName("slow");
    await notes.add("first");
    const slow = notes.addLater("second", 30);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await worker.dispose();
    expect(await slow).toBe(2);
    expect(saved).toEqual([["first", "second"]]);
    // Nothing reopens after dispose.
    await expect(notes.all()).rejects.toMatchObject({ code: "WORKER_DISPOSED" });
  });

  it("keeps an object whose beforeEvict fails, so no state is lost", async () => {
    let fail = true;
    const worker = await start({
      lifecycle: {
        beforeEvict: async () => {
          if (fail) throw new Error("store unavailable");
        },
      },
    });
    const ns = worker.env.NOTES as DurableObjectNamespace<objects.Notes>;
    await ns.getByName("safe").add("x");
    const stub = ns.getByName("safe");
    await expect(worker.objects.NOTES!.evict(ns.idFromName("safe").toString())).rejects.toThrow("store unavailable");
    expect(await stub.all()).toEqual(["x"]);
    expect(await ns.getByName("safe").all()).toEqual(["x"]);
    fail = false;
  });
});
