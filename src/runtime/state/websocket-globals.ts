import { WebSocketPair, WebSocketRequestResponsePair, type WebSocket } from "./websocket";

type ResponseInitWithSocket = ResponseInit & { webSocket?: WebSocket | null };

/**
 * Off Cloudflare, gives Worker code the globals it uses to accept WebSockets:
 * `WebSocketPair`, `WebSocketRequestResponsePair`, and a `Response` that takes
 * `{ status: 101, webSocket }` (the platform's own refuses status 101). Does nothing where
 * `WebSocketPair` already exists (workerd).
 */
export function installWebSocketGlobals(): void {
  const global = globalThis as Record<string, unknown>;
  if (global.WebSocketPair) return;
  global.WebSocketPair = WebSocketPair;
  global.WebSocketRequestResponsePair = WebSocketRequestResponsePair;
  global.Response = upgradeResponse(globalThis.Response);
}

function upgradeResponse(Base: typeof Response): typeof Response {
  const sockets = new WeakMap<Response, WebSocket>();
  class UpgradeResponse extends Base {
    constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInitWithSocket) {
      const webSocket = init?.status === 101 ? init.webSocket : undefined;
      super(body, webSocket ? { ...init, status: 200 } : init);
      if (webSocket) sockets.set(this, webSocket);
    }

    get webSocket(): WebSocket | null {
      return sockets.get(this) ?? null;
    }

    // Responses the platform makes itself (fetch(), Response.json()) stay `instanceof Response`.
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Base;
    }
  }
  // Accessors over the platform's own (declared as fields in the lib types, hence here).
  Object.defineProperties(UpgradeResponse.prototype, {
    status: {
      get(this: Response) {
        return sockets.has(this) ? 101 : Reflect.get(Base.prototype, "status", this);
      },
    },
    ok: {
      get(this: Response) {
        return sockets.has(this) ? false : Reflect.get(Base.prototype, "ok", this);
      },
    },
  });
  return UpgradeResponse;
}
