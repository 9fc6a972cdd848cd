import { afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { FencedError } from "../../src/runtime/persistence/errors";
import { icebergHandleOf, PersistenceOffError } from "../../src/runtime/persistence/iceberg-handles";
import { persistenceLifecycle, type PersistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { readLatestCommit } from "../../src/runtime/persistence/latest";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import { recordingStore } from "../persistence-proof/round-trips";
import { withPrefix } from "../../src/runtime/storage/prefix";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./objects";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
});

async function start(store: ObjectStore, holder: string, iceberg = {}, leaseWaitMs = 0) {
  const errors: unknown[] = [];
  const lifecycle = persistenceLifecycle({ store, holder, iceberg, leaseWaitMs, onError: (error) => errors.push(error) });
  const worker = await createWorker(objects, { durableObjects: { LEDGER: { className: "Ledger" } }, lifecycle });
  workers.push(worker);
  const ns = worker.env.LEDGER as DurableObjectNamespace<objects.Ledger>;
  return { worker, ns, lifecycle, errors };
}

async function handle(worker: Worker, lifecycle: PersistenceLifecycle, ns: DurableObjectNamespace<objects.Ledger>, name: string) {
  const live = await worker.objects.LEDGER!.instance(ns.idFromName(name));
  return lifecycle.handleFor(live.db)!;
}

describe("persistence in the runtime's object lifecycle", () => {
  it("stopping leaves a big object's image for the next start, which reads no pack; idle evictions and read-only sessions do not", async () => {
    const store = createMemoryStore();
    const first = await start(store, "first", { autoCheckpoint: false });
    await first.ns.getByName("big").add("rent", 1);
    await first.ns.getByName("big").remember("blob", "x".repeat(700_000));
    const root = withPrefix(store, `do/${first.ns.idFromName("big").toString()}`);
    // An idle eviction checkpoints but leaves no image: the process goes on.
    await first.worker.objects.LEDGER!.evict(first.ns.idFromName("big").toString());
    expect(await root.head("snapshots/image")).toBeNull();
    expect(await first.ns.getByName("big").add("water", 2)).toBe(2);
    await first.worker.dispose();
    const left = await root.head("snapshots/image");
    expect(left!.size).toBeGreaterThan(700_000);

    const recorded = recordingStore(store);
    const second = await start(recorded.store, "second", { autoCheckpoint: false });
    expect(await second.ns.getByName("big").recall("blob")).toHaveLength(700_000);
    await second.worker.dispose();
    expect(recorded.calls.filter((c) => c.key.includes("/image/pack-"))).toEqual([]);
    expect(recorded.calls.filter((c) => c.operation === "put" && c.key.endsWith("snapshots/image"))).toEqual([]);
    expect(second.errors).toEqual([]);
  });

  it("restores SQL rows, KV values and the alarm in a new process after dispose", async () => {
    const store = createMemoryStore();
    const first = await start(store, "first", { autoCheckpoint: false });
    const ledger = first.ns.getByName("acme");
    await ledger.add("rent", -1200.5);
    await ledger.add("salary", 3000);
    await ledger.remember("settings", { currency: "EUR", since: new Date(0), tags: new Set(["a"]) });
    const alarm = Date.now() + 3_600_000;
    await ledger.scheduleAt(alarm);
    await first.worker.dispose();
    expect((await store.list("do/")).objects.some((o) => o.key.endsWith("snapshots/latest"))).toBe(true);

    const second = await start(store, "second");
    const again = second.ns.getByName("acme");
    expect(await again.entries()).toEqual([
      { id: 1, note: "rent", amount: -1200.5 },
      { id: 2, note: "salary", amount: 3000 },
    ]);
    expect(await again.recall("settings")).toEqual({ currency: "EUR", since: new Date(0), tags: new Set(["a"]) });
    expect(await again.alarmAt()).toBe(alarm);
  });

  it("saveToIceberg, loadFromIceberg and fencing tokens through the object's handle", async () => {
    const store = createMemoryStore();
    const { worker, ns, lifecycle } = await start(store, "one", { autoCheckpoint: false });
    const ledger = ns.getByName("books");
    await ledger.add("a", 1);
    const iceberg = await handle(worker, lifecycle, ns, "books");
    const saved = await iceberg.saveToIceberg();
    await ledger.add("b", 2);
    await iceberg.saveToIceberg();
    await iceberg.loadFromIceberg({ sequence: saved!.sequence });
    expect(await ledger.entries()).toEqual([{ id: 1, note: "a", amount: 1 }]);

    const token = await iceberg.acquireFencingToken();
    expect(token.generation).toBe(1);
    await expect(iceberg.releaseFencingToken({ ...token, generation: 7 })).rejects.toBeInstanceOf(FencedError);
    await iceberg.releaseFencingToken(token);
    expect((await iceberg.listSnapshots()).map((s) => s.sequence)).toEqual([1, 2, 3]);

    // The same handle is found by the object's database alone, until the object is evicted.
    const live = await worker.objects.LEDGER!.instance(ns.idFromName("books"));
    expect(icebergHandleOf(live.db)).toBe(iceberg);
    await worker.objects.LEDGER!.evict(ns.idFromName("books").toString());
    expect(() => icebergHandleOf(live.db)).toThrow(PersistenceOffError);
  });

  it("a second process cannot open an object whose lease is held: it gets LEASE_HELD", async () => {
    const store = createMemoryStore();
    const one = await start(store, "one");
    await one.ns.getByName("shared").add("x", 1);
    const two = await start(store, "two");
    const error = await two.worker.objects.LEDGER!.instance(two.ns.idFromName("shared")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FencedError);
    expect((error as FencedError).code).toBe("LEASE_HELD");
  });

  it("opening waits for a lease being released (a rolling deploy) instead of failing", async () => {
    const store = createMemoryStore();
    const old = await start(store, "old");
    await old.ns.getByName("moving").add("before deploy", 1);
    const next = await start(store, "new", {}, 30_000);
    const opening = next.ns.getByName("moving").entries();
    await old.worker.dispose();
    expect(await opening).toEqual([{ id: 1, note: "before deploy", amount: 1 }]);
  });

  it("an object whose lease was taken over is evicted with a FENCED report, its state not written", async () => {
    const store = createMemoryStore();
    const { worker, ns, errors } = await start(store, "victim", { autoCheckpoint: false });
    await ns.getByName("contested").add("mine", 1);
    // Another instance takes the lease over (as after this one's lease expired unnoticed).
    const lock = `do/${ns.idFromName("contested").toString()}/lock`;
    await store.put(lock, new TextEncoder().encode(JSON.stringify({ holder: "thief", generation: 2, expiresAt: Date.now() + 60_000 })));
    await worker.dispose();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "FENCED" });
    expect(await readLatestCommit(withPrefix(store, `do/${ns.idFromName("contested").toString()}`))).toBeNull();
  });

  it("checkpoints on its own once enough rows changed", async () => {
    const store = createMemoryStore();
    const { ns } = await start(store, "auto", { checkpointIntervalMs: 10, minChangesBeforeCheckpoint: 2 });
    const ledger = ns.getByName("auto");
    const scoped = withPrefix(store, `do/${ns.idFromName("auto").toString()}`);
    const rows = async () => (await readLatestCommit(scoped))?.tables.entries?.files.reduce((n, f) => n + f.rows, 0);
    // Bounded waits for the scheduler's checkpoints (no one calls saveToIceberg here), long
    // enough for a loaded machine.
    const until = async (count: number) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await rows()) !== count) await new Promise((r) => setTimeout(r, 10));
      return rows();
    };
    // The first add creates the table and inserts: two changes in one turn.
    await ledger.add("a", 1);
    expect(await until(1)).toBe(1);
    // One change is not enough; the second makes two, whether or not a tick fell between them.
    await ledger.add("b", 2);
    await ledger.add("c", 3);
    expect(await until(3)).toBe(3);
  });
});
