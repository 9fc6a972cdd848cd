import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Taken before createWorker installs the WebSocket globals.
const PlatformResponse = globalThis.Response;
import type { DurableObjectNamespace, WebSocket } from "../../src/runtime/index";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as room from "./helpers/room";
import { until } from "./helpers/wait";

let worker: Worker;
beforeAll(async () => {
  worker = await createWorker(room, { durableObjects: { ROOM: { className: "Room" } } });
});
afterAll(() => worker.dispose());

/** Opens a socket to the room in-process and records what it receives. */
async function join(tag?: string) {
  const response = await worker.fetch(new Request(`http://room/${tag ? `?tag=${tag}` : ""}`, { headers: { upgrade: "websocket" } }));
  expect(response.status).toBe(101);
  const socket = (response as Response & { webSocket: WebSocket | null }).webSocket!;
  const received: string[] = [];
  socket.addEventListener("message", (event) => received.push(String((event as unknown as { data: string }).data)));
  socket.accept();
  return { socket, received };
}

describe("WebSocket globals", () => {
  it("keep every response instanceof Response, and 101 only with a webSocket", () => {
    expect(globalThis.Response).not.toBe(PlatformResponse);
    expect(new PlatformResponse("x")).toBeInstanceOf(Response);
    expect(Response.json({ a: 1 })).toBeInstanceOf(Response);
    expect(new Response("x")).toBeInstanceOf(PlatformResponse);
    expect(() => new Response(null, { status: 101 })).toThrow(RangeError);
  });
});

describe("WebSocket hibernation API (in-process)", () => {
  it("delivers messages to webSocketMessage and lets the object answer and broadcast", async () => {
    const alice = await join();
    const bob = await join();
    const watcher = await join("watchers");
    alice.socket.send("hello");
    await until(() => alice.received.length === 1 && bob.received.length === 1);
    expect([alice.received, bob.received, watcher.received]).toEqual([["echo:hello"], ["echo:hello"], []]);
    watcher.socket.send("who");
    await until(() => watcher.received.length === 1);
    expect(JSON.parse(watcher.received[0]!)).toEqual({ attachment: { tag: "watchers" }, tags: ["watchers"] });
    const stub = (worker.env.ROOM as DurableObjectNamespace<room.Room>).getByName("lobby");
    expect((await stub.report()).slice(0, 1)).toEqual(["hello"]);
  });

  it("logs a throwing handler, and delivers closes to webSocketClose as workerd does", async () => {
    const carol = await join();
    const stub = (worker.env.ROOM as DurableObjectNamespace<room.Room>).getByName("lobby");
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      carol.socket.send("boom");
      await until(() => errors.length === 1);
    } finally {
      console.error = original;
    }
    const openBefore = (await stub.report())[2] as number;
    const closed = new Promise<number[]>((resolve) =>
      carol.socket.addEventListener("close", (event) => resolve([(event as unknown as { code: number }).code])),
    );
    carol.socket.close(4000, "bye");
    // Inside the handler: CLOSING (2) and still listed; after it, gone. The object's own close()
    // completes the handshake, so the client sees the close too.
    expect(await closed).toEqual([4000]);
    expect(carol.socket.readyState).toBe(3);
    await until(async () => (await stub.report())[2] === openBefore - 1);
    expect((await stub.report())[1]).toEqual([4000, "bye", true, 2, openBefore]);
  });

  it("answers the auto-response without waking the object, and refuses what workerd refuses", async () => {
    const stub = (worker.env.ROOM as DurableObjectNamespace<room.Room>).getByName("lobby");
    await stub.enableAutoResponse();
    const dave = await join("auto");
    const lastBefore = (await stub.report())[0];
    dave.socket.send("ping");
    await until(() => dave.received.length === 1);
    expect(dave.received).toEqual(["pong"]);
    expect((await stub.report())[0]).toBe(lastBefore);
    expect(await stub.autoResponded()).toContain(true);

    const { WebSocketPair } = globalThis as unknown as { WebSocketPair: new () => Record<0 | 1, WebSocket> };
    const pair = new WebSocketPair();
    expect(() => pair[1].send("x")).toThrow(
      "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.",
    );
  });
});

describe("WebSocket hibernation with eviction", () => {
  it("keeps sockets open while the instance is evicted, and reopens the object for the next message", async () => {
    const hibernating = await createWorker(room, { durableObjects: { ROOM: { className: "Room" } }, evictAfterMs: 20 });
    try {
      const response = await hibernating.fetch(new Request("http://room/", { headers: { upgrade: "websocket" } }));
      const socket = (response as Response & { webSocket: WebSocket | null }).webSocket!;
      const received: string[] = [];
      socket.addEventListener("message", (event) => received.push(String((event as unknown as { data: string }).data)));
      socket.accept();
      socket.send("before");
      await until(() => received.length === 1);
      await until(() => hibernating.objects.ROOM!.liveIds.length === 0);
      socket.send("after");
      await until(() => received.length === 2);
      expect(received).toEqual(["echo:before", "echo:after"]);
      socket.send("who");
      await until(() => received.length === 3);
      expect(JSON.parse(received[2]!)).toEqual({ attachment: { tag: "everyone" }, tags: ["everyone"] });
    } finally {
      await hibernating.dispose();
    }
  });
});

describe("WebSocket with accept() and listeners", () => {
  it("keeps its object from eviction while the socket is open", async () => {
    const worker = await createWorker(room, { durableObjects: { LISTENER: { className: "Listener" } }, evictAfterMs: 10 });
    try {
      const stub = (worker.env.LISTENER as DurableObjectNamespace).getByName("l");
      const socket = (await stub.fetch("http://listener/") as Response & { webSocket: WebSocket | null }).webSocket!;
      const received: string[] = [];
      socket.addEventListener("message", (event) => received.push(String((event as unknown as { data: string }).data)));
      socket.accept();
      socket.send("a");
      await new Promise((resolve) => setTimeout(resolve, 50)); // well past evictAfterMs
      expect(worker.objects.LISTENER!.liveIds).toHaveLength(1);
      socket.send("b");
      await until(() => received.length === 2);
      expect(received).toEqual(["1", "2"]); // the same instance counted both
      socket.close();
      await until(() => worker.objects.LISTENER!.liveIds.length === 0);
    } finally {
      await worker.dispose();
    }
  });
});
