import { DotdoError } from "../errors";
import type { WebSocket as PairEnd, WebSocketCloseEvent, WebSocketData, WebSocketMessageEvent } from "../state/websocket";

/**
 * The glue every server entry shares between a Worker's WebSocket (the end of a
 * `WebSocketPair` that a 101 response carries) and the platform's real connection. Each entry
 * only adapts its runtime's upgrade API to `WireSocket` and `WireEvents`.
 */

/** A Worker answered a request that did not ask to upgrade with a WebSocket (workerd's message). */
export class UpgradeNotRequestedError extends DotdoError {
  constructor() {
    super(
      "UPGRADE_NOT_REQUESTED",
      'Worker tried to return a WebSocket in a response to a request which did not contain the header "Upgrade: websocket".',
    );
  }
}

/** The largest message workerd takes from a client (32 MiB); a longer one fails the connection with 1009. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** What a Worker's 101 response hands over. */
export interface AcceptedUpgrade {
  /** The pair's end to connect to the client. */
  socket: PairEnd;
  /** The subprotocol the Worker chose (`Sec-WebSocket-Protocol`), if any. */
  protocol: string | null;
}

/**
 * The WebSocket a Worker's response hands over, or null for an ordinary response. A 101 to a
 * request without `Upgrade: websocket` throws `UpgradeNotRequestedError`, as in workerd.
 */
export function acceptedUpgrade(request: Request, response: Response): AcceptedUpgrade | null {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    refuseWebSocket(response);
    return null;
  }
  const socket = (response as Response & { webSocket?: PairEnd | null }).webSocket;
  if (response.status !== 101 || !socket) return null;
  return { socket, protocol: response.headers.get("sec-websocket-protocol") };
}

/** For a request that cannot upgrade: a 101 answer is the Worker's error. */
export function refuseWebSocket(response: Response): void {
  if (response.status === 101) throw new UpgradeNotRequestedError();
}

/**
 * The platform's upgraded connection. Both calls may come after the connection has gone (the
 * object answering a close, say): they must do nothing then.
 */
export interface WireSocket {
  send(data: WebSocketData): void;
  /** Sends a close frame; without a code where none may go on the wire (1005, 1006). */
  close(code?: number, reason?: string): void;
}

/** What the platform reports from the connection. */
export interface WireEvents {
  message(data: string | ArrayBuffer | ArrayBufferView): void;
  /** The client sent a close frame, or the connection ended without one (1006). */
  close(code: number, reason: string): void;
  /** The client broke the protocol, and the connection was failed. */
  error(error: Error): void;
}

// Codes that only report what happened; RFC 6455 forbids sending them.
const UNSENDABLE = new Set([1005, 1006]);

/**
 * Relays both ways between the pair's end and an open connection. Call it once the connection is
 * open: until then, what the object sends waits in the pair.
 */
export function relay(socket: PairEnd, wire: WireSocket): WireEvents {
  // A relay passes frames as they are, and a close once the client answers it, whatever the flags.
  socket.binaryType = "arraybuffer";
  socket.addEventListener("message", (event) => wire.send((event as WebSocketMessageEvent).data as WebSocketData));
  socket.addEventListener("close", (event) => {
    const { code, reason } = event as WebSocketCloseEvent;
    if (UNSENDABLE.has(code)) wire.close();
    else wire.close(code, reason);
  });
  socket.accept({ allowHalfOpen: true });
  return {
    message: (data) => socket.send(data),
    close: (code, reason) => socket.closeAs(code, reason),
    error: (error) => socket.failAs(error),
  };
}

/**
 * The connections one server has relayed and not yet seen close. On shutdown they are sent a
 * 1001 close, as Deno's server does by itself: a server waits for open connections to end.
 * One opened after that (the server still listens while its objects are handed over) is
 * closed as soon as it opens.
 */
export class OpenConnections {
  readonly #open = new Set<WireSocket>();
  #closing = false;

  /** `relay()`, with the connection tracked until it reports its close. */
  relay(socket: PairEnd, wire: WireSocket): WireEvents {
    const events = relay(socket, wire);
    if (this.#closing) wire.close(1001, "Server shutting down");
    this.#open.add(wire);
    return {
      message: events.message,
      close: (code, reason) => {
        this.#open.delete(wire);
        events.close(code, reason);
      },
      error: (error) => {
        this.#open.delete(wire);
        events.error(error);
      },
    };
  }

  /** Sends each open connection, and each one opened from now on, a close with 1001 (going away). */
  closeAll(): void {
    this.#closing = true;
    for (const wire of this.#open) wire.close(1001, "Server shutting down");
  }
}

/**
 * Connects the pair's end to a server-side standard WebSocket (Deno's `upgradeWebSocket`), once
 * it opens, tracked in `connections`; one that closes before that is `abandon`ed.
 */
export function relayStandard(socket: PairEnd, wire: globalThis.WebSocket, connections: OpenConnections): void {
  wire.binaryType = "arraybuffer";
  let events: WireEvents | undefined;
  wire.addEventListener("open", () => (events = connections.relay(socket, wire)));
  wire.addEventListener("message", (event) => events?.message(event.data as string | ArrayBuffer));
  // A connection that did not close cleanly closed with 1006 (RFC 6455 7.1.5): Deno reports a
  // client gone without a close frame as code 0.
  wire.addEventListener("close", (event) => (events ? events.close(event.wasClean ? event.code : 1006, event.reason) : abandon(socket)));
}

/** The client never got connected (bad handshake, or gone before it opened): the object sees 1006. */
export function abandon(socket: PairEnd): void {
  socket.closeAs(1006, "");
}
