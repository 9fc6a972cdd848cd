import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import { dripRequest } from "../gateway/helpers/raw-http";
import { freePort } from "../presets/harness/process";

// What a Worker sees of a request's body, sent as raw bytes to workerd (miniflare) and to the
// node output's server: null where the framing declares no body, empty where it declares 0 bytes.
const WORKER = `export default {
  async fetch(request) {
    return Response.json({ method: request.method, bodyIsNull: request.body === null, text: await request.text() });
  },
};`;

let mf: Miniflare;
let workerdUrl: string;
let server: Server;
beforeAll(async () => {
  const port = await freePort();
  mf = new Miniflare({ modules: true, script: WORKER, compatibilityDate: "2025-09-01", host: "127.0.0.1", port });
  await mf.ready;
  workerdUrl = `http://127.0.0.1:${port}`;
  const module = (await import(`data:text/javascript,${encodeURIComponent(WORKER)}`)) as Parameters<typeof createWorker>[0];
  server = await serve(await createWorker(module, { durableObjects: {} }), { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(async () => {
  await server?.close();
  await mf?.dispose();
});

/** A request line and headers, and the body bytes that follow (Connection: close is added). */
const CASES: [string, string, string][] = [
  ["GET", "GET / HTTP/1.1", ""],
  ["DELETE without a body", "DELETE / HTTP/1.1", ""],
  ["OPTIONS without a body", "OPTIONS / HTTP/1.1", ""],
  ["POST without Content-Length or Transfer-Encoding", "POST / HTTP/1.1", ""],
  ["POST with Content-Length: 0", "POST / HTTP/1.1\r\nContent-Length: 0", ""],
  ["POST chunked, empty", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked", "0\r\n\r\n"],
  ["PUT with a body", "PUT / HTTP/1.1\r\nContent-Length: 3", "abc"],
  ["DELETE with a body", "DELETE / HTTP/1.1\r\nContent-Length: 2", "id"],
];

// Concurrently: miniflare keeps each connection open a few seconds past its answer.
for (const [what, head, body] of CASES) {
  it.concurrent(`gives a Worker the body workerd gives it: ${what}`, async () => {
    const send = async (url: string) => {
      const answer = await dripRequest(url, `${head}\r\nHost: h\r\nConnection: close\r\n\r\n${body}`, [], 1_000);
      return { status: answer.status, body: JSON.parse(answer.body) as unknown };
    };
    const [theirs, ours] = await Promise.all([send(workerdUrl), send(server.url)]);
    expect(ours).toEqual(theirs);
    expect(theirs.status).toBe(200);
  });
}
