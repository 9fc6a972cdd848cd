import { utf8Length } from "../sqlite/sql-text";
import { WebSocketRequestResponsePair, type WebSocket, type WebSocketData } from "./websocket";

/** Where hibernatable sockets' messages and closes go (the object's handlers, as events). */
export interface HibernationHandlers {
  message(socket: WebSocket, data: WebSocketData): void;
  /** Settles when the object's close handler has run. */
  close(socket: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void>;
  /** The connection failed; settles when the object's error handler has run. */
  error(socket: WebSocket, error: Error): Promise<void>;
}

const MAX_TAGS = 10;
const MAX_TAG_BYTES = 256;
const MAX_AUTO_RESPONSE_BYTES = 2048;

/** The WebSocket hibernation API of one object (`ctx.acceptWebSocket` and friends). */
export class Hibernation {
  readonly #handlers: HibernationHandlers;
  /** Accepted sockets still open, oldest first. */
  readonly #open = new Set<WebSocket>();
  /** Tags stay readable after a socket closed, as in workerd (they belong to the socket). */
  readonly #tags = new WeakMap<WebSocket, readonly string[]>();
  readonly #autoResponded = new WeakMap<WebSocket, Date>();
  #autoResponse: WebSocketRequestResponsePair | null = null;
  #eventTimeout: number | null = null;

  constructor(handlers: HibernationHandlers) {
    this.#handlers = handlers;
  }

  accept(socket: WebSocket, tags: readonly string[] = []): void {
    if (tags.length > MAX_TAGS) throw new Error(`a Hibernatable WebSocket cannot have more than ${MAX_TAGS} tags`);
    // workerd counts a tag's UTF-8 bytes, although its message says characters.
    const long = tags.find((tag) => utf8Length(tag) > MAX_TAG_BYTES);
    if (long !== undefined) throw new Error(`"${long}" is longer than the max tag length (${MAX_TAG_BYTES} characters).`);
    socket.hibernate({
      message: (from, data) => this.#message(from, data),
      // Listed by getWebSockets() until its close handler has run, as in workerd.
      close: (from, code, reason, wasClean) =>
        void this.#handlers.close(from, code, reason, wasClean).finally(() => this.#open.delete(from)),
      error: (from, error) => void this.#handlers.error(from, error).finally(() => this.#open.delete(from)),
    });
    this.#open.add(socket);
    this.#tags.set(socket, [...new Set(tags)]);
  }

  /**
   * Open accepted sockets in workerd's order: all of them newest first (its list of sockets
   * grows at the front), those with `tag` oldest first (its per-tag lists grow at the back).
   */
  sockets(tag?: string): WebSocket[] {
    if (tag === undefined) return [...this.#open].reverse();
    return [...this.#open].filter((socket) => this.#tags.get(socket)?.includes(tag));
  }

  tags(socket: WebSocket): string[] {
    const tags = this.#tags.get(socket);
    if (tags) return [...tags];
    if (socket.accepted) throw new Error("only hibernatable websockets can have tags.");
    throw new Error("you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket.");
  }

  get open(): number {
    return this.#open.size;
  }

  setAutoResponse(pair?: WebSocketRequestResponsePair): void {
    if (pair) {
      for (const [label, text] of [["Request", pair.request], ["Response", pair.response]] as const) {
        const size = utf8Length(text);
        if (size > MAX_AUTO_RESPONSE_BYTES) {
          throw new RangeError(
            `${label} cannot be larger than ${MAX_AUTO_RESPONSE_BYTES} bytes. A ${label.toLowerCase()} of size ${size} was provided.`,
          );
        }
      }
    }
    this.#autoResponse = pair ?? null;
  }

  get autoResponse(): WebSocketRequestResponsePair | null {
    return this.#autoResponse && new WebSocketRequestResponsePair(this.#autoResponse.request, this.#autoResponse.response);
  }

  autoResponseTimestamp(socket: WebSocket): Date | null {
    return this.#autoResponded.get(socket) ?? null;
  }

  get eventTimeout(): number | null {
    return this.#eventTimeout;
  }

  set eventTimeout(ms: number | null) {
    this.#eventTimeout = ms;
  }

  #message(socket: WebSocket, data: WebSocketData): void {
    // The auto-response is answered without waking the object, as in workerd.
    if (this.#autoResponse && data === this.#autoResponse.request) {
      socket.send(this.#autoResponse.response);
      this.#autoResponded.set(socket, new Date());
      return;
    }
    this.#handlers.message(socket, data);
  }
}
