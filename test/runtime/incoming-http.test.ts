import { afterAll, beforeAll, expect, it } from "vitest";
import { dripRequest } from "../gateway/helpers/raw-http";
import { workerOnBoth, type WorkerOnBoth } from "../helpers/worker-on-both";

// Requests sent as raw bytes to workerd (miniflare) and to the node output's server, and what
// comes back: the body a Worker sees, and the status line its answer goes out with.
const WORKER = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/status") {
      const text = url.searchParams.get("text");
      return new Response(null, { status: Number(url.searchParams.get("code")), ...(text !== null && { statusText: text }) });
    }
    if (url.pathname === "/head") {
      const numbered = [...request.headers.keys()].filter((name) => name.startsWith("x-h")).length;
      return Response.json({ cookie: request.headers.get("cookie")?.length ?? 0, numbered, url: request.url.length });
    }
    if (url.pathname === "/text") return new Response("hello");
    if (url.pathname === "/empty") return new Response("");
    if (url.pathname === "/bytes") return new Response(new Uint8Array(300));
    if (url.pathname === "/stream") {
      const { readable, writable } = new TransformStream();
      const writer = writable.getWriter();
      void writer.write(new TextEncoder().encode("one")).then(() => new Promise((later) => setTimeout(later, 20))).then(() => writer.write(new TextEncoder().encode("two"))).then(() => writer.close());
      return new Response(readable);
    }
    return Response.json({ method: request.method, bodyIsNull: request.body === null, text: await request.text() });
  },
};`;

let both: WorkerOnBoth;
beforeAll(async () => {
  both = await workerOnBoth(WORKER);
});
afterAll(() => both?.close());

/** Sends a request line and headers, then `body` (Connection: close is added), to both. */
async function onBoth(head: string, body = "") {
  const send = (url: string) => dripRequest(url, `${head}\r\nHost: h\r\nConnection: close\r\n\r\n${body}`, [], 1_000);
  const [theirs, ours] = await Promise.all([send(both.workerdUrl), send(both.nodeUrl)]);
  return { theirs, ours };
}

/** A request line and headers, and the body bytes that follow. */
const BODIES: [string, string, string][] = [
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
for (const [what, head, body] of BODIES) {
  it.concurrent(`gives a Worker the body workerd gives it: ${what}`, async () => {
    const { theirs, ours } = await onBoth(head, body);
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(theirs.body));
    expect(theirs.status).toBe(200);
  });
}

const STATUSES: [string, string][] = [
  ["the standard reason phrase where the Worker set no statusText", "GET /status?code=404 HTTP/1.1"],
  ["the Worker's own statusText", "GET /status?code=200&text=Fine%20Thanks HTTP/1.1"],
  ["the standard reason phrase to a refused WebSocket upgrade", "GET /status?code=426 HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="],
];

for (const [what, head] of STATUSES) {
  it.concurrent(`answers with the status line workerd sends: ${what}`, async () => {
    const { theirs, ours } = await onBoth(head);
    expect(ours.statusLine).toBe(theirs.statusLine);
  });
}

const FRAMINGS: [string, string][] = [
  ["a string", "GET /text"],
  ["an empty string", "GET /empty"],
  ["bytes", "GET /bytes"],
  ["JSON", "GET /?json"],
  ["a stream that keeps coming", "GET /stream"],
  ["HEAD, where the Worker answers with a body", "HEAD /text"],
];

for (const [what, request] of FRAMINGS) {
  it.concurrent(`frames a body as workerd does (Content-Length or chunked): ${what}`, async () => {
    const { theirs, ours } = await onBoth(`${request} HTTP/1.1`);
    const framing = (head: string) => ({
      length: /^content-length: *(\d+)/im.exec(head)?.[1] ?? null,
      chunked: /^transfer-encoding: *chunked/im.test(head),
    });
    expect(framing(ours.head)).toEqual(framing(theirs.head));
    expect(ours.body).toBe(theirs.body);
  });
}

const KiB = 1024;
const HEADS: [string, string][] = [
  ["a cookie of 20 KiB (node:http's default took 16 KiB)", `GET /head HTTP/1.1\r\nCookie: a=${"x".repeat(20 * KiB)}`],
  ["a cookie of 127 KiB", `GET /head HTTP/1.1\r\nCookie: a=${"x".repeat(127 * KiB)}`],
  ["a cookie of 130 KiB, over the 128 KiB limit", `GET /head HTTP/1.1\r\nCookie: a=${"x".repeat(130 * KiB)}`],
  ["a URL of 100 KiB", `GET /head?q=${"u".repeat(100 * KiB)} HTTP/1.1`],
  ["2,000 headers and two more (node:http refused more than 2,000)", `GET /head HTTP/1.1\r\n${Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v`).join("\r\n")}`],
];

for (const [what, head] of HEADS) {
  it.concurrent(`takes a request head as workerd does: ${what}`, async () => {
    const { theirs, ours } = await onBoth(head);
    expect(ours.status).toBe(theirs.status);
    if (theirs.status === 200) expect(JSON.parse(ours.body)).toEqual(JSON.parse(theirs.body));
  });
}
