import { afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { persistenceLifecycle } from "../../src/runtime/persistence/index";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { createWorker, type CreateWorkerOptions, type Worker } from "../../src/runtime/worker";
import * as objects from "./helpers/objects";
import { until } from "./helpers/wait";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.dispose()));
});

async function start(options: Partial<CreateWorkerOptions> = {}) {
  const worker = await createWorker(objects, {
    durableObjects: { ALARMED: { className: "Alarmed" } },
    alarmRetry: { baseDelayMs: 10 },
    ...options,
  });
  workers.push(worker);
  return { worker, alarmed: worker.env.ALARMED as DurableObjectNamespace<objects.Alarmed> };
}

describe("alarms", () => {
  it("fire at the stored time, with getAlarm() null inside the handler", async () => {
    const reported: (number | null)[] = [];
    const { alarmed } = await start({ lifecycle: { alarmChanged: (_ref, time) => void reported.push(time) } });
    const stub = alarmed.getByName("once");
    const at = Date.now() + 30;
    await stub.schedule(at);
    const runs = await until(async () => ((await stub.runs()).length ? stub.runs() : undefined));
    expect(runs).toEqual([{ retryCount: 0, isRetry: false, scheduledTime: at, alarmSeenInside: null }]);
    expect(await stub.pending()).toBeNull();
    // The host hears of the alarm when set and when it is done.
    expect(reported).toEqual([at, null]);
  });

  it("retry a throwing handler with backoff, then stop after the last retry", async () => {
    const { alarmed } = await start({ alarmRetry: { baseDelayMs: 5, maxRetries: 2 } });
    const recovering = alarmed.getByName("recovers");
    await recovering.schedule(Date.now(), 1);
    const recovered = await until(async () => ((await recovering.runs()).length === 2 ? recovering.runs() : undefined));
    expect(recovered.map((run) => [run.retryCount, run.isRetry])).toEqual([[0, false], [1, true]]);

    const failing = alarmed.getByName("fails");
    await failing.schedule(Date.now(), 10);
    await until(async () => (await failing.runs()).length === 3);
    // Give a fourth run the chance to (wrongly) happen, then check it did not.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await failing.runs()).map((run) => run.retryCount)).toEqual([0, 1, 2]);
    expect(await failing.pending()).toBeNull();
  });

  it("survive eviction and a restart, because they are stored in the database", async () => {
    const saved = new Map<string, Uint8Array>();
    const pendingAlarms = new Map<string, number>();
    const lifecycle = {
      load: async (ref: { id: string }) => saved.get(ref.id),
      beforeEvict: async (ref: { id: string }, db: { export(): Uint8Array }) => void saved.set(ref.id, db.export()),
      alarmChanged: (ref: { id: string }, time: number | null) =>
        void (time === null ? pendingAlarms.delete(ref.id) : pendingAlarms.set(ref.id, time)),
    };
    const first = await start({ lifecycle });
    const stub = first.alarmed.getByName("restart");
    await stub.schedule(Date.now() + 60_000);
    await first.worker.dispose();

    const second = await start({ lifecycle });
    const id = second.alarmed.idFromName("restart");
    expect(saved.has(id.toString())).toBe(true);
    // What a store would do at start-up: wake every object its alarm index lists.
    expect([...pendingAlarms.keys()]).toEqual([id.toString()]);
    for (const pending of pendingAlarms.keys()) await second.worker.objects.ALARMED!.wake(pending);
    expect(await second.alarmed.get(id).pending()).toBeGreaterThan(Date.now());

    // An evicted object (image kept in memory by default) still gets its alarm.
    const third = await start();
    const evicted = third.alarmed.getByName("evicted");
    await evicted.schedule(Date.now() + 50);
    await third.worker.objects.ALARMED!.evict(evicted.id.toString());
    expect(third.worker.objects.ALARMED!.liveIds).toEqual([]);
    await until(async () => (await evicted.runs()).length === 1);
  });
});

describe("alarms after a restart, through the store's alarm index", () => {
  const persistent = (store: ObjectStore) => ({ lifecycle: persistenceLifecycle({ store, holder: "this-host" }) });
  const indexed = async (store: ObjectStore) => (await store.list("alarms/")).objects.map((object) => object.key);

  it("wake the objects the index lists, with no request, and fire their alarms; the entry goes once fired", async () => {
    const store = createMemoryStore(`alarm-index-${Math.random()}`);
    const first = await start(persistent(store));
    const stub = first.alarmed.getByName("after-restart");
    // Far enough ahead that it cannot fire before the first worker has stopped.
    await stub.schedule(Date.now() + 1_500);
    const id = stub.id.toString();
    await first.worker.dispose();
    expect(await indexed(store)).toEqual([`alarms/${id}`]);

    const second = await start(persistent(store));
    // Nothing has asked for the object: the start-up woke it.
    await until(() => second.worker.objects.ALARMED!.liveIds.includes(id));
    await until(async () => (await indexed(store)).length === 0);
    expect((await second.alarmed.get(second.alarmed.idFromString(id)).runs()).map((run) => run.retryCount)).toEqual([0]);
  });

  it("drop an index entry whose object holds no alarm (a write lost in a crash)", async () => {
    const store = createMemoryStore(`alarm-index-${Math.random()}`);
    const probe = await start();
    const id = probe.alarmed.idFromName("never-scheduled").toString();
    await store.put(`alarms/${id}`, new TextEncoder().encode(JSON.stringify({ namespace: "Alarmed", time: Date.now() })));
    const worker = await start(persistent(store));
    await until(async () => (await indexed(store)).length === 0);
    expect(worker.worker.objects.ALARMED!.liveIds).toEqual([id]);
  });
});
