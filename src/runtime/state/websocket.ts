/**
 * Cloudflare's WebSocket API in-process: `WebSocketPair` gives two linked ends; one goes back
 * to the client in `new Response(null, { status: 101, webSocket })`, the object keeps the
 * other (`accept()` + listeners, or `ctx.acceptWebSocket()` for the hibernation API).
 */

import { UnsupportedFeatureError } from "../cloudflare/unsupported";
import { currentCompatibility } from "../current-worker";
import { utf8Length } from "../sqlite/sql-text";
import { domException } from "./value-codec";
import { v8SerializedSize } from "./v8-serialized-size";

export type WebSocketData = string | ArrayBuffer;

const MAX_ATTACHMENT_BYTES = 16_384;
/** A close frame's body is at most 125 bytes: the code's 2 and the reason's (RFC 6455 5.5). */
const MAX_CLOSE_REASON_BYTES = 123;

/** A `message` event. */
export class WebSocketMessageEvent extends Event {
  readonly data: WebSocketData | Blob;
  constructor(data: WebSocketData | Blob) {
    super("message");
    this.data = data;
  }
}

/** A `close` event. */
export class WebSocketCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(code: number, reason: string, wasClean: boolean) {
    super("close");
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/** An `error` event: the connection failed (workerd's `ErrorEvent`, which not every runtime has). */
export class WebSocketErrorEvent extends Event {
  readonly message: string;
  readonly error: Error;
  constructor(error: Error) {
    super("error");
    this.error = error;
    this.message = `Uncaught Error: ${error.message}`;
  }
}

/** Who receives a hibernatable socket's traffic instead of its listeners. */
export interface HibernationReceiver {
  message(socket: WebSocket, data: WebSocketData): void;
  close(socket: WebSocket, code: number, reason: string, wasClean: boolean): void;
  error(socket: WebSocket, error: Error): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type Delivery = { kind: "message"; data: WebSocketData } | { kind: "close"; code: number; reason: string } | { kind: "error"; error: Error };

/** The close a Worker's end reports when the connection ended without a close frame (workerd's words). */
const DISCONNECTED = { code: 1006, reason: "WebSocket disconnected without sending Close frame." };

/** workerd's ready-state constants, on the class and on its prototype under both names. */
const READY_STATES = {
  READY_STATE_CONNECTING: CONNECTING,
  CONNECTING,
  READY_STATE_OPEN: OPEN,
  OPEN,
  READY_STATE_CLOSING: CLOSING,
  CLOSING,
  READY_STATE_CLOSED: CLOSED,
  CLOSED,
} as const;

/**
 * The runtime's own WebSocket client, as far as dotdo uses it: typed here, so that no
 * platform's declarations (Node's come from undici) end up in the package's types.
 */
export interface ClientSocket extends EventTarget {
  binaryType: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly readyState: number;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** Node, Bun and Deno all take `{ headers, protocols }` as well as protocols. */
export type ClientSocketClass = new (url: string | URL, options?: string | string[] | { headers?: Record<string, string>; protocols?: string[] }) => ClientSocket;

/**
 * The runtime's own client class (Node's, Bun's, Deno's), for `new WebSocket(url)` and the
 * cluster's relays: taken when this module loads, before the global becomes the class below.
 */
export const platformWebSocket = (globalThis as unknown as { WebSocket?: ClientSocketClass }).WebSocket;

/**
 * workerd's WebSocket: one end of a `WebSocketPair` with workerd's API and messages, or, built
 * as `new WebSocket(url)`, a client connection (over the runtime's own client).
 */
export class WebSocket extends EventTarget {
  static readonly READY_STATE_CONNECTING = CONNECTING;
  static readonly READY_STATE_OPEN = OPEN;
  static readonly READY_STATE_CLOSING = CLOSING;
  static readonly READY_STATE_CLOSED = CLOSED;
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  declare readonly READY_STATE_CONNECTING: typeof CONNECTING;
  declare readonly READY_STATE_OPEN: typeof OPEN;
  declare readonly READY_STATE_CLOSING: typeof CLOSING;
  declare readonly READY_STATE_CLOSED: typeof CLOSED;
  declare readonly CONNECTING: typeof CONNECTING;
  declare readonly OPEN: typeof OPEN;
  declare readonly CLOSING: typeof CLOSING;
  declare readonly CLOSED: typeof CLOSED;
  readonly url: string | null = null;
  readonly protocol: string | null = null;
  readonly extensions: string | null = null;
  /** `"blob"` from `websocket_standard_binary_type` on; binary messages to listeners arrive as this type. */
  #binaryType: BinaryType = currentCompatibility().webSocketStandardBinaryType ? "blob" : "arraybuffer";
  /** Without `web_socket_auto_reply_to_close`, or with `accept({ allowHalfOpen: true })`: a received close waits for `close()`. */
  #allowHalfOpen = !currentCompatibility().webSocketAutoReplyToClose;
  /** Set for a client connection (`new WebSocket(url)`): what it sends through. */
  #client: ClientSocket | undefined;
  #peer: WebSocket | undefined;
  #readyState = OPEN;
  #accepted = false;
  #hibernation: HibernationReceiver | undefined;
  #pending: Delivery[] = [];
  #attachment: unknown;
  #closeSent = false;
  #closeReceived = false;
  #whenClosed: (() => void)[] = [];
  /** The owning object's output gate: resolves once the writes made so far are stored. */
  #gate: (() => Promise<void>) | undefined;
  /** Frames waiting for the gate, in order. */
  #outbox: Promise<void> = Promise.resolve();
  #gateFailed = false;

  constructor(url?: string | URL, protocols?: string | string[]) {
    super();
    if (url !== undefined) this.#connect(String(url), protocols);
  }

  #connect(url: string, protocols: string | string[] | undefined): void {
    if (!platformWebSocket) throw new UnsupportedFeatureError("new WebSocket(url) (no WebSocket client in this runtime)");
    const client = new platformWebSocket(url, protocols);
    client.binaryType = "arraybuffer";
    this.#client = client;
    this.#accepted = true;
    this.#readyState = CONNECTING;
    (this as { url: string | null }).url = url;
    client.addEventListener("open", () => {
      this.#readyState = OPEN;
      (this as { protocol: string | null }).protocol = client.protocol;
      (this as { extensions: string | null }).extensions = client.extensions;
      this.dispatchEvent(new Event("open"));
    });
    client.addEventListener("message", (event) => this.dispatchEvent(this.#messageEvent((event as MessageEvent).data as WebSocketData)));
    client.addEventListener("error", () => this.dispatchEvent(new Event("error")));
    client.addEventListener("close", (event) => {
      this.#readyState = CLOSED;
      const { code, reason, wasClean } = event as CloseEvent;
      this.dispatchEvent(new WebSocketCloseEvent(code, reason, wasClean));
    });
  }

  /** @internal Links two ends; used by `WebSocketPair`. */
  static link(a: WebSocket, b: WebSocket): void {
    a.#peer = b;
    b.#peer = a;
  }

  get readyState(): number {
    return this.#readyState;
  }

  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  /** Other values are ignored, as the standard says. */
  set binaryType(value: BinaryType) {
    if (value === "blob" || value === "arraybuffer") this.#binaryType = value;
  }

  /** @internal The other end of the pair. */
  get peer(): WebSocket | undefined {
    return this.#peer;
  }

  /** @internal Whether this end's traffic goes to the hibernation API. */
  get hibernatable(): boolean {
    return this.#hibernation !== undefined;
  }

  /** @internal Whether `accept()` or the hibernation API took this end. */
  get accepted(): boolean {
    return this.#accepted;
  }

  /** @internal Calls `fn` once the peer has closed (nothing more can arrive), at once if it has. */
  onPeerClosed(fn: () => void): void {
    if (this.#closeReceived) fn();
    else this.#whenClosed.push(fn);
  }

  /**
   * @internal Holds every frame this end sends until the writes its object made before
   * sending it are stored (the output gate). If they cannot be, the peer gets a 1011 close
   * instead, and nothing more: the object is being reset.
   */
  gateOutput(gate: () => Promise<void>): void {
    this.#gate = gate;
  }

  /** Starts delivering events to this end's listeners. */
  accept(options: { allowHalfOpen?: boolean } = {}): void {
    if (this.#hibernation) throw new TypeError("Can't accept() WebSocket after enabling hibernation.");
    if (options.allowHalfOpen !== undefined) this.#allowHalfOpen = options.allowHalfOpen;
    this.#start();
  }

  /** @internal Hands this end's traffic to the hibernation API (`ctx.acceptWebSocket`). */
  hibernate(receiver: HibernationReceiver): void {
    if (this.#accepted) throw new Error("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`");
    this.#hibernation = receiver;
    this.#start();
  }

  send(message: string | ArrayBuffer | ArrayBufferView): void {
    if (!this.#accepted) {
      throw new TypeError("You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
    }
    if (this.#closeSent) throw new TypeError("Can't call WebSocket send() after close().");
    if (this.#client) return this.#client.send(message as string | ArrayBuffer);
    const data = typeof message === "string" ? message : copyBytes(message);
    this.#emit({ kind: "message", data });
  }

  /**
   * Sends a close; the end is CLOSED once closes went both ways (the peer replies at once only
   * with `web_socket_auto_reply_to_close`). Without a code the peer sees 1005, as on workerd.
   */
  close(code?: number, reason?: string): void {
    const sent = closeCode(code, reason);
    if (currentCompatibility().webSocketCloseReasonByteLimit && utf8Length(reason ?? "") > MAX_CLOSE_REASON_BYTES) {
      throw domException(`WebSocket close reason must not be longer than ${MAX_CLOSE_REASON_BYTES} bytes when UTF-8 encoded.`, "SyntaxError");
    }
    this.closeAs(sent, reason ?? "");
  }

  /**
   * @internal Closes this end with what the connection behind it reported, any code (1005 and
   * 1006 too): `close()`'s checks are for a Worker's own calls.
   */
  closeAs(code: number, reason: string): void {
    if (code === DISCONNECTED.code) reason ||= DISCONNECTED.reason;
    if (this.#closeSent) return;
    this.#closeSent = true;
    if (this.#client) {
      this.#readyState = CLOSING;
      return code === NO_STATUS ? this.#client.close() : this.#client.close(code, reason);
    }
    this.#setState(this.#closeReceived ? CLOSED : CLOSING);
    this.#emit({ kind: "close", code, reason });
  }

  /**
   * @internal The connection behind this end failed (the client broke the protocol): the other
   * end gets an `error` event, or `webSocketError()`, and both ends are closed, as on workerd.
   */
  failAs(error: Error): void {
    if (this.#closeSent) return;
    this.#closeSent = this.#closeReceived = true;
    this.#setState(CLOSED);
    this.#emit({ kind: "error", error });
  }

  #emit(delivery: Delivery): void {
    const peer = this.#peer;
    if (!peer) return;
    if (!this.#gate) return peer.#deliver(delivery);
    // Asked now, so that it covers exactly the writes made before this frame.
    const stored = this.#gate();
    this.#outbox = this.#outbox.then(() => stored).then(
      () => {
        if (!this.#gateFailed) peer.#deliver(delivery);
      },
      () => {
        if (this.#gateFailed) return;
        this.#gateFailed = true;
        peer.#deliver({ kind: "close", code: 1011, reason: "Durable Object reset: its writes could not be stored" });
      },
    );
  }

  serializeAttachment(value: unknown): void {
    const clone = structuredClone(value);
    // workerd measures the V8-serialized value.
    const size = v8SerializedSize(value);
    if (size > MAX_ATTACHMENT_BYTES) {
      throw new Error(`A WebSocket 'attachment' cannot be larger than ${MAX_ATTACHMENT_BYTES} bytes.'attachment' was ${size} bytes.`);
    }
    this.#attachment = clone;
  }

  deserializeAttachment(): unknown {
    return this.#attachment === undefined ? null : structuredClone(this.#attachment);
  }

  #messageEvent(data: WebSocketData): WebSocketMessageEvent {
    return new WebSocketMessageEvent(typeof data !== "string" && this.#binaryType === "blob" ? new Blob([data]) : data);
  }

  #setState(state: number): void {
    this.#readyState = state;
    if (this.#closeReceived) for (const fn of this.#whenClosed.splice(0)) fn();
  }

  #start(): void {
    this.#accepted = true;
    for (const delivery of this.#pending.splice(0)) this.#dispatch(delivery);
  }

  #deliver(delivery: Delivery): void {
    if (this.#accepted) this.#dispatch(delivery);
    else this.#pending.push(delivery);
  }

  #dispatch(delivery: Delivery): void {
    if (delivery.kind === "message") {
      if (this.#hibernation) this.#hibernation.message(this, delivery.data);
      else this.dispatchEvent(this.#messageEvent(delivery.data));
      return;
    }
    if (delivery.kind === "error") {
      this.#closeSent = this.#closeReceived = true;
      this.#setState(CLOSED);
      if (this.#hibernation) this.#hibernation.error(this, delivery.error);
      else this.dispatchEvent(new WebSocketErrorEvent(delivery.error));
      return;
    }
    // The peer closed: CLOSING until this end answers with its own close(), unless it answers
    // at once (web_socket_auto_reply_to_close), with the same code and reason as workerd does.
    // A connection that went away (1006) takes no answer, and workerd leaves an accept()ed end
    // OPEN then.
    this.#closeReceived = true;
    const disconnected = delivery.code === DISCONNECTED.code;
    if (!disconnected && !this.#closeSent && !this.#allowHalfOpen && !this.#hibernation) {
      this.#closeSent = true;
      this.#emit(delivery);
    }
    this.#setState(disconnected && !this.#hibernation ? this.#readyState : this.#closeSent ? CLOSED : CLOSING);
    if (this.#hibernation) this.#hibernation.close(this, delivery.code, delivery.reason, !disconnected);
    else this.dispatchEvent(new WebSocketCloseEvent(delivery.code, delivery.reason, !disconnected));
  }
}

for (const [name, value] of Object.entries(READY_STATES)) Object.defineProperty(WebSocket.prototype, name, { value, enumerable: true });

/** `new WebSocketPair()`: `{ 0: client, 1: server }`. */
export class WebSocketPair {
  readonly 0: WebSocket;
  readonly 1: WebSocket;

  constructor() {
    const client = new WebSocket();
    const server = new WebSocket();
    WebSocket.link(client, server);
    this[0] = client;
    this[1] = server;
  }
}

/** A request/response pair for `ctx.setWebSocketAutoResponse`. */
export class WebSocketRequestResponsePair {
  readonly request: string;
  readonly response: string;

  constructor(request: string, response: string) {
    this.request = request;
    this.response = response;
  }
}

type BinaryType = "blob" | "arraybuffer";

/** The code a close without one reports to the peer (RFC 6455 7.1.5). */
const NO_STATUS = 1005;

/**
 * The code `close(code, reason)` sends, checked as workerd checks it: a whole number (as WebIDL
 * converts one: `1000.5` is 1000, `NaN` 0) from 1000 to 4999, but none of those reserved to
 * report what happened (1004, 1005, 1006, 1015); a reason only with a code.
 */
function closeCode(code: number | undefined, reason: string | undefined): number {
  if (code === undefined) {
    if (reason !== undefined) throw domException("If you specify a WebSocket close reason, you must also specify a code.", "InvalidAccessError");
    return NO_STATUS;
  }
  const whole = Number(code) | 0;
  if (whole < 1000 || whole > 4999 || whole === 1004 || whole === NO_STATUS || whole === 1006 || whole === 1015) {
    throw domException(`Invalid WebSocket close code: ${whole}.`, "InvalidAccessError");
  }
  return whole;
}

function copyBytes(view: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (view instanceof ArrayBuffer) return view.slice(0);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
}
