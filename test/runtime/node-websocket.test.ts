import { afterAll, beforeAll, expect, it } from "vitest";
import { serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import * as room from "./helpers/room";
import { until } from "./helpers/wait";

let server: Server;
beforeAll(async () => {
  const worker = await createWorker(room, { durableObjects: { ROOM: { className: "Room" } } });
  server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(() => server.close());

it("carries a real WebSocket connection (Node's client) to the object's hibernation handlers", async () => {
  const socket = new WebSocket(`${server.url.replace("http", "ws")}/`);
  const received: string[] = [];
  socket.addEventListener("message", (event) => received.push(String(event.data)));
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  socket.send("over the wire");
  socket.send("x".repeat(70_000)); // a 64-bit length frame
  await until(() => received.length === 2);
  expect(received[0]).toBe("echo:over the wire");
  expect(received[1]).toHaveLength(70_005);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  socket.close(4001, "done");
  expect(await closed).toEqual({ code: 4001, reason: "done" });
  // A 101 answer to a request that did not ask to upgrade is a server error, as in workerd.
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (error: unknown) => void errors.push(error);
  try {
    expect((await fetch(`${server.url}/`)).status).toBe(500);
  } finally {
    console.error = original;
  }
  expect(String(errors[0])).toContain('did not contain the header "Upgrade: websocket"');
});
