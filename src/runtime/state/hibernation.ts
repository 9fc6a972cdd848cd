import { WebSocketRequestResponsePair, type WebSocket, type WebSocketData } from "./websocket";

/** Where hibernatable sockets' messages and closes go (the object's handlers, as events). */
export interface HibernationHandlers {
  message(socket: WebSocket, data: WebSocketData): void;
  /** Settles when the object's close handler has run. */
  close(socket: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void>;
}

const MAX_TAGS = 10;

/** The WebSocket hibernation API of one object (`ctx.acceptWebSocket` and friends). */
export class Hibernation {
  readonly #handlers: HibernationHandlers;
  readonly #tags = new Map<WebSocket, readonly string[]>();
  readonly #autoResponded = new WeakMap<WebSocket, Date>();
  #autoResponse: WebSocketRequestResponsePair | null = null;
  #eventTimeout: number | null = null;

  constructor(handlers: HibernationHandlers) {
    this.#handlers = handlers;
  }

  accept(socket: WebSocket, tags: readonly string[] = []): void {
    if (tags.length > MAX_TAGS) throw new Error(`a Hibernatable WebSocket cannot have more than ${MAX_TAGS} tags`);
    socket.hibernate({
      message: (from, data) => this.#message(from, data),
      // Listed by getWebSockets() until its close handler has run, as in workerd.
      close: (from, code, reason, wasClean) =>
        void this.#handlers.close(from, code, reason, wasClean).finally(() => this.#tags.delete(from)),
    });
    this.#tags.set(socket, [...tags]);
  }

  /**
   * Open accepted sockets in workerd's order: all of them newest first (its list of sockets
   * grows at the front), those with `tag` oldest first (its per-tag lists grow at the back).
   */
  sockets(tag?: string): WebSocket[] {
    if (tag === undefined) return [...this.#tags.keys()].reverse();
    return [...this.#tags].filter(([, tags]) => tags.includes(tag)).map(([socket]) => socket);
  }

  tags(socket: WebSocket): string[] {
    const tags = this.#tags.get(socket);
    if (!tags) throw new Error("you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket.");
    return [...tags];
  }

  get open(): number {
    return this.#tags.size;
  }

  setAutoResponse(pair?: WebSocketRequestResponsePair): void {
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
