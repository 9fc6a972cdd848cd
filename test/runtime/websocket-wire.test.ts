import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFrame as frame, rawWebSocket } from "../helpers/raw-websocket";
import { workerOnBoth, type WorkerOnBoth } from "../helpers/worker-on-both";

// Raw WebSocket frames sent to workerd (miniflare) and to the node output's server: what comes
// back on the wire, and what the Worker's end saw (its close or error event, or for a
// hibernatable socket its webSocketClose / webSocketError). Both accept()ed sockets and the
// hibernation API are driven, one per connection, each recording under the connection's id.
const WORKER = `
const events = new Map();
const record = (id, event) => events.set(id, [...(events.get(id) ?? []), event]);
const describe = (data) => JSON.stringify(typeof data === "string" ? { text: data.length > 40 ? data.length : data } : { binary: data.byteLength });
const closed = (code, reason, wasClean, ws) => ({ close: code, reason, wasClean, readyState: ws.readyState });
const failed = (error) => ({ error: String(error), message: error.message });

export class Room {
  constructor(ctx) { this.ctx = ctx; }
  async fetch(request) {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [new URL(request.url).searchParams.get("id")]);
    return new Response(null, { status: 101, webSocket: client });
  }
  webSocketMessage(ws, data) { ws.send(describe(data)); }
  webSocketClose(ws, code, reason, wasClean) {
    record(this.ctx.getTags(ws)[0], closed(code, reason, wasClean, ws));
    if (code !== 1006) ws.close(code === 1005 ? 1000 : code, "bye");
  }
  webSocketError(ws, error) { record(this.ctx.getTags(ws)[0], failed(error)); }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const id = url.searchParams.get("id");
    if (url.pathname === "/events") return Response.json(events.get(id) ?? []);
    if (url.pathname === "/room") return env.ROOM.getByName("room").fetch(request);
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", (event) => server.send(describe(event.data)));
    server.addEventListener("close", (event) => {
      record(id, closed(event.code, event.reason, event.wasClean, server));
      if (event.code !== 1006) server.close(event.code === 1005 ? 1000 : event.code, "bye");
    });
    server.addEventListener("error", (event) => record(id, { ...failed(event.error), event: event.message, readyState: server.readyState }));
    return new Response(null, { status: 101, webSocket: client });
  },
};`;

let both: WorkerOnBoth;
beforeAll(async () => {
  both = await workerOnBoth(WORKER, { durableObjects: { ROOM: "Room" } });
});
afterAll(() => both?.close());

/** Opens a WebSocket on `path` (a new connection id), sends `frames`; answers the wire's transcript and what the Worker recorded. */
async function session(base: string, path: string, frames: Buffer[], settleMs?: number): Promise<{ wire: string[]; worker: unknown }> {
  const id = `c${Math.random().toString(36).slice(2)}`;
  const wire = await rawWebSocket(`${base}${path}?id=${id}`, frames, { settleMs });
  // The Worker's handlers run as the connection ends: give them a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const worker = await (await fetch(`${base}/events?id=${id}`)).json();
  return { wire, worker };
}

/** A session on workerd and the same on the node output, at once. */
const onBoth = (path: string, frames: Buffer[], settleMs?: number) =>
  Promise.all([session(both.workerdUrl, path, frames, settleMs), session(both.nodeUrl, path, frames, settleMs)]);

const MiB = 1024 * 1024;
const CASES: [string, Buffer[]][] = [
  ["a text message", [frame(0x1, "hi")]],
  ["a message in fragments", [frame(0x1, "hel", { fin: false }), frame(0x0, "lo")]],
  ["a ping, answered with its payload", [frame(0x9, "p1")]],
  ["a ping of 126 bytes (over the RFC's 125)", [frame(0x9, "x".repeat(126))]],
  ["an unmasked frame", [frame(0x1, "raw", { masked: false })]],
  ["text that is not UTF-8", [frame(0x1, Buffer.from([0xff, 0xfe, 0x41]))]],
  ["a close with a code and reason", [frame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from("done")]))]],
  ["a close without a code", [frame(0x8, "")]],
  ["a message of 1 MiB + 1 byte, and one after it", [frame(0x2, Buffer.alloc(MiB + 1)), frame(0x1, "after")]],
  ["a frame announcing 32 MiB + 1 byte", [frame(0x2, Buffer.alloc(16), { length: 32 * MiB + 1 })]],
  ["a frame announcing 2^40 bytes", [frame(0x2, Buffer.alloc(16), { length: 2 ** 40 })]],
  ["fragments that add up to more than 32 MiB", [frame(0x2, Buffer.alloc(MiB), { fin: false }), frame(0x0, Buffer.alloc(16), { length: 31 * MiB + 1 })]],
  ["a new message inside a fragmented one", [frame(0x1, "a", { fin: false }), frame(0x1, "b")]],
  ["a continuation with nothing to continue", [frame(0x0, "x")]],
  ["a reserved data opcode", [frame(0x3, "x")]],
  ["a reserved control opcode", [frame(0xb, "x")]],
  ["the compression bit without the extension", [frame(0x1, "x", { rsv: 0x40 })]],
  ["a fragmented ping", [frame(0x9, "p", { fin: false })]],
];

type Session = Awaited<ReturnType<typeof session>>;
const failed = ({ worker }: Session) => (worker as object[]).some((event) => "error" in event);
/**
 * workerd leaves a hibernatable socket's connection open after it failed it (still open 5 s
 * later); dotdo closes it, as RFC 6455 7.1.7 says: docs/compat.md. All else is compared.
 */
const withoutEnd = (result: Session): Session => ({ ...result, wire: result.wire.filter((line) => line !== "end") });

for (const [path, style] of [["/", "accept()ed"], ["/room", "hibernatable"]] as const) {
  describe(`an ${style} WebSocket on the node output gets what workerd gives it`, () => {
    for (const [what, frames] of CASES) {
      it.concurrent(what, async () => {
        const [theirs, ours] = await onBoth(path, frames);
        expect(theirs.wire[0]).toBe("HTTP/1.1 101 Switching Protocols");
        if (style === "hibernatable" && failed(ours)) {
          expect(ours.wire.at(-1)).toBe("end");
          expect(withoutEnd(ours)).toEqual(withoutEnd(theirs));
        } else expect(ours).toEqual(theirs);
      }, 20_000);
    }
  });
}

it("takes a message of exactly 32 MiB, as workerd does", async () => {
  const frames = [frame(0x2, Buffer.alloc(32 * MiB))];
  const [theirs, ours] = await onBoth("/", frames, 3_000);
  expect(ours).toEqual(theirs);
  expect(theirs.wire).toContain(`text {"binary":${32 * MiB}}`);
}, 30_000);
