import { withTimeout } from "../retry";
import { platformWebSocket, WebSocketPair, type WebSocket as PairEnd } from "../state/websocket";

/**
 * The platform's WebSocket client: the global is workerd's class off Cloudflare (installed
 * before any other module loads), which does not take the headers a relay sends.
 */
const ClientWebSocket = platformWebSocket!;

const OPEN = 1;

/** How long the holder may take to answer a forwarded upgrade. */
const OPEN_TIMEOUT_MS = 10_000;

/**
 * Close code for a relayed socket whose holder went away without a close frame (killed,
 * unreachable): 1012, "service restart", tells the client to reconnect.
 */
export const HOLDER_GONE_CODE = 1012;

/** Request headers that belong to one hop of a WebSocket handshake, not to the call. */
const HANDSHAKE_HEADERS = ["connection", "upgrade", "host", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];

/**
 * Opens a WebSocket to `url` on the holder with the call's headers, and answers the caller
 * as the holder's object did: a 101 whose `webSocket` relays frames and closes both ways.
 * Throws (with the reason) when the holder does not accept the upgrade.
 */
export async function relayUpgrade(url: URL, request: Request, headers: Headers): Promise<Response> {
  for (const name of HANDSHAKE_HEADERS) headers.delete(name);
  const protocols = request.headers.get("sec-websocket-protocol")?.split(",").map((protocol) => protocol.trim()).filter(Boolean) ?? [];
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // Node, Bun and Deno all take `{ headers, protocols }` as the second argument.
  const remote = new ClientWebSocket(url, { headers: Object.fromEntries(headers), protocols });
  remote.binaryType = "arraybuffer";
  const { 0: client, 1: local } = new WebSocketPair();
  // A relay passes frames as they are, and a close once the holder answers it, whatever the flags.
  local.binaryType = "arraybuffer";
  local.accept({ allowHalfOpen: true });
  const opened = new Promise<void>((resolve, reject) => {
    remote.addEventListener("open", () => resolve());
    remote.addEventListener("close", (event) => reject(new Error(`the holder refused the WebSocket upgrade (${(event as CloseEvent).code})`)));
  });
  // Frames that cross a close on the way are dropped, as on any connection that is closing.
  remote.addEventListener("message", (event) => local.readyState === OPEN && local.send((event as MessageEvent).data as string | ArrayBuffer));
  remote.addEventListener("close", (event) => closeEnd(local, (event as CloseEvent).code, (event as CloseEvent).reason));
  local.addEventListener("message", (event) => remote.readyState === OPEN && remote.send((event as MessageEvent).data as string | ArrayBuffer));
  local.addEventListener("close", (event) => {
    const { code, reason } = event as CloseEvent;
    // The relay is the holder's client, and a client may only send 1000 or 3000–4999: other
    // codes from the caller's side (1001 from a browser leaving, say) reach the holder as 1000.
    remote.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
  });
  try {
    await withTimeout(opened, OPEN_TIMEOUT_MS);
  } catch (error) {
    remote.close();
    throw error;
  }
  const responseHeaders = remote.protocol ? { "sec-websocket-protocol": remote.protocol } : undefined;
  return new Response(null, { status: 101, webSocket: client, headers: responseHeaders } as ResponseInit);
}

/** Passes the holder's close on, as it came; closed without a close frame (1006), the holder is gone. */
function closeEnd(end: PairEnd, code: number, reason: string): void {
  if (code === 1006) end.closeAs(HOLDER_GONE_CODE, "the replica holding the Durable Object went away");
  else end.closeAs(code, reason);
}
