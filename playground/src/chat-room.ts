import { DurableObject, type WebSocket } from "cloudflare:workers";
import type { Env } from "./env";

// A global on workerd, and off Cloudflare once dotdo's runtime has started.
declare const WebSocketPair: new () => { 0: WebSocket; 1: WebSocket };

/** What the room sends each member, as JSON. */
export type ChatEvent = { kind: "joined" | "left"; user: string; members: string[] } | { kind: "message"; user: string; text: string };

/**
 * A chat room on the hibernation API: the runtime holds the sockets, so the room can be evicted
 * between messages; each socket's attachment (its user) survives that.
 */
export class ChatRoom extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const user = new URL(request.url).searchParams.get("user") || "anonymous";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(user);
    this.#broadcast({ kind: "joined", user, members: this.#members() });
    return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    this.#broadcast({ kind: "message", user: ws.deserializeAttachment() as string, text });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake the client started (workerd does not reply by itself).
    if (ws.readyState === 2) ws.close(code, reason);
    this.#broadcast({ kind: "left", user: ws.deserializeAttachment() as string, members: this.#members(ws) }, ws);
  }

  #members(except?: WebSocket): string[] {
    return this.ctx
      .getWebSockets()
      .filter((ws) => ws !== except)
      .map((ws) => ws.deserializeAttachment() as string)
      .sort();
  }

  #broadcast(event: ChatEvent, except?: WebSocket): void {
    const data = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) if (ws !== except) ws.send(data);
  }
}
