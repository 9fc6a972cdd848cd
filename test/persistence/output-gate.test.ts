import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace, WebSocket } from "../../src/runtime/index";
import { ObjectUnavailableError } from "../../src/runtime/namespace/errors";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { StorageRequestError } from "../../src/runtime/storage/errors";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./gate/objects";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
});

/**
 * A memory store whose log appends can be held (`hold()`), released, or made to fail: the
 * test sees exactly when an append is in flight.
 */
function holdingStore() {
  const inner = createMemoryStore();
  let gate: { entered: () => void; release: Promise<void> } | null = null;
  let failing = false;
  const store: ObjectStore = {
    ...inner,
    async put(key, body, options) {
      if (key.includes("/log/")) {
        if (failing) throw new StorageRequestError(inner.url, "put", key, "the store is down");
        if (gate) {
          gate.entered();
          await gate.release;
        }
      }
      return inner.put(key, body, options);
    },
  };
  return {
    store,
    /** Holds the next log appends; resolves `entered` once one is waiting. */
    hold() {
      let release!: () => void;
      let entered!: () => void;
      const waiting = new Promise<void>((done) => (entered = done));
      gate = { entered, release: new Promise<void>((done) => (release = done)) };
      return { waiting, release: () => ((gate = null), release()) };
    },
    fail: (on: boolean) => void (failing = on),
  };
}

async function start(store: ObjectStore) {
  const lifecycle = persistenceLifecycle({ store, holder: "gate-test", iceberg: { autoCheckpoint: false }, storePolicy: { deadlineMs: 2_000, attemptTimeoutMs: 1_000, baseDelayMs: 5 } });
  const worker = await createWorker(objects, { durableObjects: { JOURNAL: { className: "Journal" } }, lifecycle, asyncContext: new AsyncLocalStorage() });
  workers.push(worker);
  return worker.env.JOURNAL as DurableObjectNamespace<objects.Journal>;
}

function settledFlag(promise: Promise<unknown>): { settled: boolean } {
  const flag = { settled: false };
  promise.then(() => (flag.settled = true), () => (flag.settled = true));
  return flag;
}

async function socketOf(ns: DurableObjectNamespace<objects.Journal>, name: string) {
  const response = (await ns.getByName(name).fetch("http://do/")) as Response & { webSocket: WebSocket };
  const socket = response.webSocket;
  socket.accept();
  const messages: string[] = [];
  const closes: number[] = [];
  socket.addEventListener("message", (event) => messages.push(String((event as MessageEvent).data)));
  socket.addEventListener("close", (event) => closes.push((event as CloseEvent).code));
  return { socket, messages, closes };
}

describe("the output gate", () => {
  it("holds an RPC result until its write is in the log", async () => {
    const { store, hold } = holdingStore();
    const ns = await start(store);
    await ns.getByName("a").write("first"); // opens the object (and seals its log)
    const held = hold();
    const call = ns.getByName("a").write("second");
    const flag = settledFlag(call);
    await held.waiting;
    await new Promise((done) => setTimeout(done, 20));
    expect(flag.settled).toBe(false);
    held.release();
    expect(await call).toBe("second");
  });

  it("holds an object's outgoing fetch() until the writes made before it are in the log; the Worker's own fetches are not held", async () => {
    const arrived: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk));
      req.on("end", () => (arrived.push(body), res.end()));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const { store, hold } = holdingStore();
      const ns = await start(store);
      await ns.getByName("f").write("first");
      const held = hold();
      const call = ns.getByName("f").writeAndNotify("second", url);
      await held.waiting;
      // Outside any object's code, while an append is held: not held back.
      expect((await fetch(url, { method: "POST", body: "from the worker" })).status).toBe(200);
      await new Promise((done) => setTimeout(done, 50));
      expect(arrived).toEqual(["from the worker"]);
      held.release();
      expect(await call).toBe(200);
      expect(arrived).toEqual(["from the worker", "second"]);
    } finally {
      server.close();
    }
  });

  it("holds a WebSocket frame until the writes made before it are in the log", async () => {
    const { store, hold } = holdingStore();
    const ns = await start(store);
    const { socket, messages } = await socketOf(ns, "b");
    const held = hold();
    socket.send("hello");
    await held.waiting;
    await new Promise((done) => setTimeout(done, 20));
    expect(messages).toEqual([]);
    held.release();
    await expect.poll(() => messages).toEqual(["stored hello"]);
  });

  it("a write that cannot be stored is never acknowledged: the call fails, sockets are closed with 1011, the object restarts from the store", async () => {
    const { store, fail } = holdingStore();
    const ns = await start(store);
    expect(await ns.getByName("c").write("kept")).toBe("kept");
    const { messages, closes } = await socketOf(ns, "c");
    fail(true);
    await expect(ns.getByName("c").write("lost")).rejects.toBeInstanceOf(ObjectUnavailableError);
    expect(closes).toEqual([1011]);
    fail(false);
    expect(await ns.getByName("c").lines()).toEqual(["kept"]);
    expect(messages).toEqual([]);
  });

  it("a frame whose writes cannot be stored never leaves: the socket gets 1011 instead", async () => {
    const { store, fail } = holdingStore();
    const ns = await start(store);
    const { socket, messages, closes } = await socketOf(ns, "d");
    fail(true);
    socket.send("never stored");
    await expect.poll(() => closes, { timeout: 10_000 }).toEqual([1011]); // after the store deadline
    expect(messages).toEqual([]);
    fail(false);
    expect(await ns.getByName("d").lines()).toEqual([]);
  });
});
