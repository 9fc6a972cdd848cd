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

/** WebSockets through the hibernation API. */
export const webSocketScenarios: Record<string, Scenario> = {
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
