import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerOnBoth, type WorkerOnBoth } from "../helpers/worker-on-both";

// With enable_request_signal, an incoming request's signal aborts when its client goes away
// before the answer is sent: on workerd (miniflare) and on the node output's server alike.
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

let both: WorkerOnBoth;
beforeAll(async () => {
  both = await workerOnBoth(WORKER, { compatibilityFlags: ["enable_request_signal"] });
});
afterAll(() => both?.close());

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
  const [theirs, ours] = await Promise.all([leaveMidStream(both.workerdUrl), leaveMidStream(both.nodeUrl)]);
  expect(ours).toEqual(theirs);
  expect(theirs).toEqual([{ path: "/stream", reason: "AbortError: The client has disconnected", name: "AbortError" }]);
});
