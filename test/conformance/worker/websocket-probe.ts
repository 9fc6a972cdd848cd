import { DurableObject, type DurableObjectState, type WebSocket } from "cloudflare:workers";
import type { Env } from "./env";

// Globals on workerd, and off Cloudflare once createWorker has run.
declare const WebSocketPair: new () => Record<0 | 1, WebSocket>;
declare const WebSocketRequestResponsePair: new (request: string, response: string) => unknown;

/** The WebSocket hibernation API: tags, attachments, broadcast, auto-response, close. */
export class WebSocketProbe extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong") as never);
  }

  override fetch(request: Request): Response {
    const tag = new URL(request.url).searchParams.get("tag") ?? "untagged";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [tag, "everyone"]);
    pair[1].serializeAttachment({ tag, joinedAs: this.ctx.getWebSockets().length });
    return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (typeof message !== "string") return ws.send(`binary:${message.byteLength}`);
    if (message === "whoami") return ws.send(JSON.stringify({ attachment: ws.deserializeAttachment(), tags: this.ctx.getTags(ws) }));
    if (message === "count") {
      return ws.send(JSON.stringify({ all: this.ctx.getWebSockets().length, red: this.ctx.getWebSockets("red").length }));
    }
    if (message.startsWith("broadcast:")) {
      for (const peer of this.ctx.getWebSockets("everyone")) peer.send(message.slice("broadcast:".length));
      return;
    }
    ws.send(`echo:${message}`);
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): void {
    ws.close(code, `server saw ${code} ${reason} ${wasClean}`);
  }
}
