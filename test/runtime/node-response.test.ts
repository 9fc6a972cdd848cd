import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serveGateway, type NodeGateway } from "../../src/gateway/node";
import { serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";

// Answers whose bodies stream: one that fails part-way (an upstream connection reset, a
// Worker's own stream erroring) and one that never ends (server-sent events).
let cancelled = 0;
const failsMidway = () => {
  let pulls = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue(new TextEncoder().encode("first part"));
      else controller.error(new Error("the upstream reset the connection"));
    },
  });
};
const endless = () => {
  let timer: ReturnType<typeof setInterval>;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => controller.enqueue(new TextEncoder().encode("data: tick\n\n")), 10);
    },
    cancel() {
      clearInterval(timer);
      cancelled++;
    },
  });
};
const answer = (request: Request) => {
  const path = new URL(request.url).pathname;
  if (path === "/fails-midway") return new Response(failsMidway());
  if (path === "/endless") return new Response(endless(), { headers: { "content-type": "text/event-stream" } });
  return new Response("ok");
};

let server: Server;
let gateway: NodeGateway;
beforeAll(async () => {
  const worker = await createWorker({ default: { fetch: answer } }, { durableObjects: {} });
  server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
  gateway = await serveGateway(async (request) => answer(request));
});
afterAll(async () => {
  await server?.close();
  await gateway?.close();
});

describe.each([
  ["a server output", () => server.url],
  ["the storage gateway", () => gateway.url],
])("%s streaming an answer", (_, base) => {
  it("cuts the connection of a body that fails part-way, logs why, and goes on serving", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      // Cut, not ended: the client can tell the answer is incomplete (before or after its head
      // arrived, as the failure overtakes the first part or not).
      await expect(fetch(`${base()}/fails-midway`).then((response) => response.text())).rejects.toThrow(/fetch failed|terminated/);
      await vi.waitFor(() => expect(String(logged.mock.calls.flat().join(" "))).toMatch(/GET \/fails-midway: the body failed part-way/));
    } finally {
      logged.mockRestore();
    }
    expect(await (await fetch(`${base()}/ok`)).text()).toBe("ok");
  });

  it("cancels the body of a client that went away, so its source stops", async () => {
    const before = cancelled;
    const aborting = new AbortController();
    const response = await fetch(`${base()}/endless`, { signal: aborting.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("data: tick");
    aborting.abort();
    await vi.waitFor(() => expect(cancelled).toBe(before + 1), { timeout: 5_000 });
  });
});
