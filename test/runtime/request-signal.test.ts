import { connect } from "node:net";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import { freePort } from "../presets/harness/process";

// With enable_request_signal, an incoming request's signal aborts when its client goes away
// before the answer is sent: on workerd (miniflare) and on the node output's server alike.
const FLAGS = { compatibilityDate: "2025-09-01", compatibilityFlags: ["enable_request_signal"] };
const WORKER = `const aborted = [];
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/aborted") return Response.json(aborted);
    request.signal.addEventListener("abort", () => aborted.push({ path: url.pathname, reason: String(request.signal.reason), name: request.signal.reason.name }));
    if (url.pathname === "/quick") return new Response("done");
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    (async () => {
      for (let i = 0; i < 30; i++) {
        await writer.write(new TextEncoder().encode("tick\\n")).catch(() => undefined);
        await new Promise((later) => setTimeout(later, 100));
      }
    })();
    return new Response(readable);
  },
};`;

let mf: Miniflare;
let workerdUrl: string;
let server: Server;
beforeAll(async () => {
  const port = await freePort();
  mf = new Miniflare({ modules: true, script: WORKER, ...FLAGS, host: "127.0.0.1", port });
  await mf.ready;
  workerdUrl = `http://127.0.0.1:${port}`;
  const module = (await import(`data:text/javascript,${encodeURIComponent(WORKER)}`)) as Parameters<typeof createWorker>[0];
  server = await serve(await createWorker(module, { durableObjects: {}, ...FLAGS }), { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(async () => {
  await server?.close();
  await mf?.dispose();
});

/** Opens a streaming answer and goes away while it streams; then an answer that completes; returns what the Worker saw abort. */
async function leaveMidStream(base: string): Promise<unknown> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  socket.on("error", () => undefined);
  socket.write(`GET /stream HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  await new Promise((resolve) => socket.once("data", resolve));
  socket.destroy();
  await (await fetch(`${base}/quick`)).text();
  // The Worker hears of the close as its connection ends: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return (await fetch(`${base}/aborted`)).json();
}

it("aborts the signal of a request whose client went away mid-answer, and of no other, as workerd", async () => {
  const [theirs, ours] = await Promise.all([leaveMidStream(workerdUrl), leaveMidStream(server.url)]);
  expect(ours).toEqual(theirs);
  expect(theirs).toEqual([{ path: "/stream", reason: "AbortError: The client has disconnected", name: "AbortError" }]);
});
