import { afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./objects";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
});

async function start(withPersistence: boolean) {
  const lifecycle = withPersistence ? persistenceLifecycle({ store: createMemoryStore(), iceberg: { autoCheckpoint: false } }) : undefined;
  const worker = await createWorker(objects, { durableObjects: { LEDGER: { className: "Ledger" } }, ...(lifecycle ? { lifecycle } : {}) });
  workers.push(worker);
  return (worker.env.LEDGER as DurableObjectNamespace<objects.Ledger>).getByName("api");
}

describe("the persistence API on DurableObject", () => {
  it("saveToIceberg, listSnapshots, loadFromIceberg, configureIceberg and fencing tokens from inside an object", async () => {
    const ledger = await start(true);
    await ledger.add("a", 1);
    expect(await ledger.saveNow()).toBe(1);
    expect(await ledger.saveNow()).toBeNull();
    await ledger.add("b", 2);
    expect(await ledger.saveNow()).toBe(2);
    expect(await ledger.checkpoints()).toEqual([
      { sequence: 1, entries: 1 },
      { sequence: 2, entries: 2 },
    ]);
    expect(await ledger.goBackTo(1)).toBe(1);
    expect(await ledger.entries()).toEqual([{ id: 1, note: "a", amount: 1 }]);
    expect(await ledger.fenceAndRelease()).toBe(1);
  });

  it("without persistence the calls fail with PERSISTENCE_OFF", async () => {
    const ledger = await start(false);
    await expect(ledger.saveNow()).rejects.toThrow(/no Iceberg persistence/);
    await expect(ledger.checkpoints()).rejects.toThrow(/no Iceberg persistence/);
  });
});
