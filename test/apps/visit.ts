import { createHash } from "node:crypto";

/** What a scenario saw, in the order it saw it: compared, entry by entry, with workerd's. */
export type Transcript = unknown[];

/** How long a scenario waits for a message or a condition before recording that it never came. */
const PATIENCE_MS = 15_000;

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One WebSocket client of a scenario; what it receives is recorded when the scenario takes it. */
export interface Client {
  send(data: string): void;
  /**
   * The next message, recorded (or what happened instead: the socket closed, nothing came).
   * A message `skip` accepts is returned without being recorded (e.g. an app's "try again").
   */
  next(skip?: (message: string) => boolean): Promise<string>;
  /** Takes messages until one satisfies `last`, recording each. */
  nextUntil(last: (message: string) => boolean): Promise<string>;
  /** Sends a close (without waiting for the answer: an app need not reply to it). */
  close(): void;
}

/** What a scenario drives an app with: each answer is recorded, scrubbed of what differs from run to run. */
export interface Visit {
  /** What the scenario keeps from before the restart to after it, for this target. */
  readonly kept: Map<string, unknown>;
  http(path: string, init?: HttpInit): Promise<{ status: number; body: string }>;
  /** Opens a WebSocket; `as` names the client in the transcript. */
  ws(path: string, options?: { as?: string; headers?: Record<string, string> }): Promise<Client>;
  /** Records a value the scenario worked out. */
  note(label: string, value: unknown): void;
  /** Repeats a GET until `done(body)` holds, then records the last answer. */
  poll(path: string, done: (body: string) => boolean): Promise<string>;
}

/** Long bodies (HTML pages, client bundles) are compared by length and digest, to keep failure diffs readable. */
function summary(body: string): string {
  return body.length <= 2048 ? body : `${body.length} characters, sha256 ${createHash("sha256").update(body).digest("hex")}`;
}

export function visit(base: () => string, scrub: (text: string) => string, transcript: Transcript): Visit {
  const record = (entry: unknown) => void transcript.push(entry);
  const answer = async (path: string, init: HttpInit = {}) => {
    const response = await fetch(`${base()}${path}`, { ...init, redirect: "manual" });
    return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
  };
  return {
    kept: new Map(),
    async http(path, init) {
      const { status, type, body } = await answer(path, init);
      record({ request: `${init?.method ?? "GET"} ${path}`, status, type: type?.toLowerCase() ?? null, body: summary(scrub(body)) });
      return { status, body };
    },
    async ws(path, { as = path, headers }: { as?: string; headers?: Record<string, string> } = {}) {
      // Node's WebSocket (undici) takes request headers in place of the protocols.
      const socket = new WebSocket(`${base().replace(/^http/, "ws")}${path}`, { headers } as unknown as string[]);
      const inbox: string[] = [];
      const waiters: (() => void)[] = [];
      let closed: { code: number } | undefined;
      const wake = () => waiters.splice(0).forEach((waiter) => waiter());
      socket.addEventListener("message", (event) => (inbox.push(typeof event.data === "string" ? event.data : `<binary ${String(event.data)}>`), wake()));
      socket.addEventListener("close", (event) => ((closed = { code: event.code }), wake()));
      const opened = await new Promise<boolean>((done) => {
        socket.addEventListener("open", () => done(true));
        socket.addEventListener("error", () => done(false));
      });
      record({ ws: as, path, opened });
      const until = async (ready: () => boolean) => {
        const deadline = Date.now() + PATIENCE_MS;
        while (!ready() && Date.now() < deadline) await new Promise<void>((done) => (waiters.push(done), setTimeout(done, 100)));
        return ready();
      };
      const next = async (skip?: (message: string) => boolean): Promise<string> => {
        if (!(await until(() => inbox.length > 0 || closed !== undefined)) || inbox.length === 0) {
          record({ ws: as, received: closed ? { closed: closed.code } : "nothing" });
          return "";
        }
        const message = inbox.shift() as string;
        if (!skip?.(message)) record({ ws: as, received: scrub(message) });
        return message;
      };
      return {
        send: (data) => socket.send(data),
        next,
        async nextUntil(last) {
          for (;;) {
            const message = await next();
            if (message === "" || last(message)) return message;
          }
        },
        close: () => socket.close(1000, "done"),
      };
    },
    note(label, value) {
      record({ [label]: value });
    },
    async poll(path, done) {
      const deadline = Date.now() + PATIENCE_MS;
      let last = await answer(path);
      while (!done(last.body) && Date.now() < deadline) {
        await new Promise((wait) => setTimeout(wait, 200));
        last = await answer(path);
      }
      record({ poll: path, status: last.status, body: scrub(last.body), done: done(last.body) });
      return last.body;
    },
  };
}
