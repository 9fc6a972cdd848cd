import {
  DurableObject,
  WebSocketPair,
  WebSocketRequestResponsePair,
  type DurableObjectNamespace,
  type WebSocket,
} from "../../../src/runtime/index";

/** A chat room on the WebSocket hibernation API. */
export class Room extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const tag = new URL(request.url).searchParams.get("tag") ?? "everyone";
    this.ctx.acceptWebSocket(server, [tag]);
    server.serializeAttachment({ tag });
    // `webSocket` is Cloudflare's extension of ResponseInit.
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "boom") throw new Error("handler failed");
    if (message === "who") return ws.send(JSON.stringify({ attachment: ws.deserializeAttachment(), tags: this.ctx.getTags(ws) }));
    await this.ctx.storage.put("last", message);
    for (const other of this.ctx.getWebSockets("everyone")) other.send(`echo:${String(message)}`);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    await this.ctx.storage.put("closed", [code, reason, wasClean, ws.readyState, this.ctx.getWebSockets().length]);
    ws.close(code, reason); // complete the closing handshake (workerd does not reply by itself)
  }

  enableAutoResponse(): void {
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  autoResponded(): boolean[] {
    return this.ctx.getWebSockets().map((ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws) !== null);
  }

  async report(): Promise<unknown[]> {
    return [await this.ctx.storage.get("last"), await this.ctx.storage.get("closed"), this.ctx.getWebSockets().length];
  }
}

export default {
  async fetch(request: Request, env: { ROOM: DurableObjectNamespace<Room> }): Promise<Response> {
    return env.ROOM.getByName("lobby").fetch(request);
  },
};

/** Handles its socket with accept() and listeners: the instance must stay while it is open. */
export class Listener extends DurableObject {
  #messages = 0;

  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    server.addEventListener("message", () => server.send(String(++this.#messages)));
    return new Response(null, { status: 101, webSocket: client } as ResponseInit);
  }
}
