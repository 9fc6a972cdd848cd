// Runs unchanged on workerd (miniflare) and on the shim: workerd-parity.test.ts compares them.
import { DurableObject, type WebSocket } from "cloudflare:workers";

// A global on workerd, and off Cloudflare once createWorker has run.
declare const WebSocketPair: new () => Record<0 | 1, WebSocket>;

export class Probe extends DurableObject {
  bigRowids(): unknown {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE big(x)");
    sql.exec("INSERT INTO big(rowid, x) VALUES (1152921504606846976, 'a'), (9007199254740993, 'b')");
    return sql.exec("SELECT CAST(rowid AS TEXT) AS id, rowid AS asNumber, x FROM big ORDER BY rowid").toArray();
  }
}

/** The hibernation API, driven from the Worker through a socket pair. */
export class Room extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/report") {
      return Response.json({ log: await this.ctx.storage.get("log"), open: this.ctx.getWebSockets().length });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ["everyone"]);
    return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.#log(["message", message, ws.readyState, this.ctx.getTags(ws)]);
    if (message === "boom") throw new Error("handler failed");
    ws.send(`echo:${String(message)}`);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    await this.#log(["close", code, reason, wasClean, ws.readyState, this.ctx.getWebSockets().length]);
    ws.close(code, "server closes too");
  }

  async #log(entry: unknown[]): Promise<void> {
    const log = (await this.ctx.storage.get<unknown[]>("log")) ?? [];
    await this.ctx.storage.put("log", [...log, entry]);
  }
}

type Env = { PROBE: { getByName(name: string): Probe }; ROOM: { getByName(name: string): { fetch(input: string, init?: RequestInit): Promise<Response> } } };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function websocketScenario(env: Env): Promise<unknown> {
  const room = env.ROOM.getByName("room");
  const response = await room.fetch("http://room/", { headers: { Upgrade: "websocket" } });
  const socket = (response as Response & { webSocket: WebSocket }).webSocket;
  socket.accept();
  const got: unknown[] = [];
  socket.addEventListener("message", (event) => got.push((event as unknown as { data: unknown }).data));
  const closed = new Promise((resolve) =>
    socket.addEventListener("close", (event) => {
      const { code, reason } = event as unknown as { code: number; reason: string };
      resolve([code, reason]);
    }),
  );
  socket.send("hello");
  socket.send("boom");
  await pause(100);
  socket.close(4000, "bye");
  const closeEvent = await Promise.race([closed, pause(1000).then(() => "no close event")]);
  await pause(50);
  const report = await (await room.fetch("http://room/report")).json();
  return { status: response.status, got, closeEvent, clientState: socket.readyState, report };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/websocket") return Response.json(await websocketScenario(env));
    return Response.json(await env.PROBE.getByName(pathname).bigRowids());
  },
};
