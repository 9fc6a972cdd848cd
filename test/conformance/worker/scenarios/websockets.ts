import type { WebSocket } from "cloudflare:workers";
import { sleep, type Scenario } from "./helpers";

interface Client {
  status: number;
  socket: WebSocket;
  inbox: string[];
  closed: Promise<[number, string]>;
}

/** Opens a socket to the object through stub.fetch, as a Worker does. */
async function connect(stub: { fetch(url: string, init: RequestInit): Promise<Response> }, tag: string): Promise<Client> {
  const response = await stub.fetch(`http://ws/?tag=${tag}`, { headers: { Upgrade: "websocket" } });
  const socket = (response as Response & { webSocket: WebSocket }).webSocket;
  socket.accept();
  const inbox: string[] = [];
  socket.addEventListener("message", (event) => {
    const data = (event as unknown as { data: string | ArrayBuffer }).data;
    inbox.push(typeof data === "string" ? data : `binary reply of ${data.byteLength} bytes`);
  });
  const closed = new Promise<[number, string]>((resolve) =>
    socket.addEventListener("close", (event) => {
      const { code, reason } = event as unknown as { code: number; reason: string };
      resolve([code, reason]);
    }),
  );
  return { status: response.status, socket, inbox, closed };
}

/** Waits (bounded) until `client` has received `count` messages. */
async function received(client: Client, count: number): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  while (client.inbox.length < count && Date.now() < deadline) await sleep(10);
  return [...client.inbox];
}

declare const WebSocketPair: new () => Record<0 | 1, WebSocket>;

/** What `close(code, reason)` on an accepted end of a new pair does: "ok", or the error it throws. */
function closeWith(code: unknown, reason?: unknown): string {
  const end = new WebSocketPair()[1];
  end.accept();
  try {
    (end.close as (code?: unknown, reason?: unknown) => void)(code, reason);
    return "ok";
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** The close event the other end of a pair gets for `close(...args)`. */
async function peerSees(...args: [code?: number, reason?: string]): Promise<unknown> {
  const pair = new WebSocketPair();
  pair[0].accept();
  pair[1].accept();
  const seen = new Promise((resolve) =>
    pair[0].addEventListener("close", (event) => {
      const { code, reason, wasClean } = event as unknown as { code: number; reason: string; wasClean: boolean };
      resolve({ code, reason, wasClean });
    }),
  );
  pair[1].close(...args);
  return Promise.race([seen, sleep(1_000).then(() => "no close event")]);
}

/** WebSockets through the hibernation API. */
export const webSocketScenarios: Record<string, Scenario> = {
  "websockets: the close codes a Worker may send": async () => {
    const codes = [undefined, 0, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1011, 1012, 1014, 1015, 1016, 2999, 3000, 4999, 5000, 65536, 1000.5, -1, Number.NaN, "1000", null];
    return {
      codes: Object.fromEntries(codes.map((code) => [String(code), closeWith(code)])),
      reasons: { withoutCode: closeWith(undefined, "why"), long: closeWith(1000, "x".repeat(123)), tooLong: closeWith(1000, "x".repeat(124)) },
      peerSees: { none: await peerSees(), code: await peerSees(4000), codeAndReason: await peerSees(1000.9, "done") },
    };
  },
  "websockets: hibernation API": async (env) => {
    const stub = env.WEBSOCKET.getByName("room");
    const red = await connect(stub, "red");
    const blue = await connect(stub, "blue");
    red.socket.send("whoami");
    await received(red, 1);
    blue.socket.send("count");
    await received(blue, 1);
    red.socket.send("ping");
    await received(red, 2);
    red.socket.send(new Uint8Array([1, 2, 3]));
    await received(red, 3);
    blue.socket.send("broadcast:hello all");
    const redInbox = await received(red, 4);
    const blueInbox = await received(blue, 2);
    red.socket.close(4001, "done");
    const redClose = await Promise.race([red.closed, sleep(5_000).then(() => "no close event")]);
    blue.socket.send("hello");
    const blueLater = await received(blue, 3);
    blue.socket.close(1000, "bye");
    await Promise.race([blue.closed, sleep(5_000)]);
    return {
      statuses: [red.status, blue.status],
      redInbox,
      blueInbox: blueLater,
      blueAtBroadcast: blueInbox,
      redClose,
      readyStates: [red.socket.readyState, blue.socket.readyState],
    };
  },
};
