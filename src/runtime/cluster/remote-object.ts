import { DotdoError } from "../errors";
import { sha256Hex } from "../sha256";
import { decodeValue, encodeValue } from "../state/value-codec";
import type { DurableObjectId } from "../namespace/id";
import { toRemoteError } from "../namespace/rpc";
import { ForwardFailedError } from "./errors";
import { relayUpgrade } from "./forward-websocket";
import { signCall, type SignedCall } from "./signature";
import type { ForwardStats } from "./stats";

/** Where a replica answers calls forwarded to the objects it holds. */
export const FORWARD_PATH = "/__dotdo/forward";

export interface RemoteObjectOptions {
  /** The holder's internal base URL, as its lease names it. */
  address: string;
  /** The namespace key (the same on every replica of one build). */
  namespace: string;
  id: DurableObjectId;
  secret: string;
  stats: ForwardStats;
  /** How long to trust that the holder is still there before reading the lease again. */
  ttlMs: number;
  /** Told when a call could not reach `address` (so membership can suspect it). */
  unreachable?: (address: string) => void;
}

/** The ways a forwarded call travels. */
type Kind = "fetch" | "call" | "property";

/**
 * An object held by another replica: its events go there over HTTP, signed with the cluster's
 * secret. Fetch bodies stream both ways; RPC values use the storage value encoding, so
 * what can be stored can be passed (functions and RpcTargets cannot cross processes).
 */
export class RemoteObject {
  readonly #options: RemoteObjectOptions;
  readonly #until: number;
  #address: string;
  #failed = false;

  constructor(options: RemoteObjectOptions) {
    this.#options = options;
    this.#address = options.address;
    this.#until = Date.now() + options.ttlMs;
  }

  /** The replica calls go to (the one a 421 named, once one did). */
  get address(): string {
    return this.#address;
  }

  /** Look the holder up again: the cached address is old, or a forward to it failed. */
  get retired(): boolean {
    return this.#failed || Date.now() > this.#until;
  }

  async fetch(request: Request): Promise<Response> {
    const detail = `${request.method} ${request.url}`;
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const headers = await this.#signed("fetch", detail, "", new Headers(request.headers));
      return this.#attempt(() => relayUpgrade(new URL(FORWARD_PATH, this.#address), request, headers));
    }
    const response = await this.#send("fetch", detail, request.body as ReadableStream<Uint8Array> | null, "", () => new Headers(request.headers));
    if (response.headers.get("x-dotdo-error")) throw await this.#error(response);
    return response;
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    return this.#value("call", method, encodeValue(args));
  }

  property(name: string): Promise<unknown> {
    return this.#value("property", name, new Uint8Array(0));
  }

  async #value(kind: Kind, name: string, body: Uint8Array): Promise<unknown> {
    const response = await this.#send(kind, name, body, await sha256Hex(body), () => new Headers());
    if (response.headers.get("x-dotdo-error")) throw await this.#error(response);
    return decodeValue(new Uint8Array(await response.arrayBuffer()));
  }

  /**
   * Posts the call to the holder. A replica that is not (or no longer) the holder answers 421
   * naming the one that is: a call whose body can be sent again follows it once.
   */
  async #send(kind: Kind, detail: string, body: ReadableStream<Uint8Array> | Uint8Array | null, bodySha256: string, headers: () => Headers): Promise<Response> {
    for (let redirects = 0; ; redirects++) {
      const signed = await this.#signed(kind, detail, bodySha256, headers());
      // Always a stream: fetch sends a request with a byte body again by itself when a reused
      // connection fails, and a signed call must never run twice (the holder refuses it).
      const stream = body instanceof ReadableStream ? body : new Blob(body ? [body] : []).stream();
      const response = await this.#attempt(() => fetch(new URL(FORWARD_PATH, this.#address), { method: "POST", headers: signed, body: stream, duplex: "half" } as unknown as RequestInit));
      const holder = response.headers.get("x-dotdo-holder");
      if (response.status === 421 && holder && holder !== this.#address && redirects === 0 && !(body instanceof ReadableStream)) {
        await response.body?.cancel(); // frees the connection for the next call
        this.#address = holder;
        continue;
      }
      // Not the holder (421), stopping or failing to open the object (503), or it refused us
      // (401): the caller may retry after a new look-up. In the first two the object did not run.
      if (response.status === 421 || response.status === 401 || response.status === 503) {
        this.#failed = true;
        this.#options.stats.failed++;
        throw new ForwardFailedError(this.#address, `${response.status} ${await response.text()}`, response.status !== 401);
      }
      return response;
    }
  }

  async #signed(kind: Kind, detail: string, bodySha256: string, headers: Headers): Promise<Headers> {
    const { namespace, id, secret } = this.#options;
    const call: SignedCall = { kind, binding: namespace, id: id.toString(), detail, bodySha256 };
    headers.set("x-dotdo-call", kind);
    headers.set("x-dotdo-namespace", namespace);
    headers.set("x-dotdo-object", id.toString());
    if (id.name !== undefined) headers.set("x-dotdo-object-name", encodeURIComponent(id.name));
    headers.set("x-dotdo-detail", encodeURIComponent(detail));
    headers.set("x-dotdo-signature", await signCall(secret, call));
    return headers;
  }

  /** One trip to the holder: a failure to reach it retires this look-up and is reported. */
  async #attempt<T>(send: () => Promise<T>): Promise<T> {
    this.#options.stats.sent++;
    try {
      return await send();
    } catch (error) {
      this.#failed = true;
      this.#options.stats.failed++;
      this.#options.unreachable?.(this.#address);
      throw new ForwardFailedError(this.#address, error instanceof Error ? error.message : String(error), refused(error), { cause: error });
    }
  }

  /** The callee's error as a local call would have thrown it; dotdo's own keep their code. */
  async #error(response: Response): Promise<Error> {
    const { name, message, code } = (await response.json()) as { name: string; message: string; code?: string };
    if (code !== undefined) return Object.assign(new DotdoError(code, message), { name, remote: true as const });
    return toRemoteError(Object.assign(new Error(message), { name }));
  }
}

/**
 * Whether the connection was refused (Node's, Bun's and Deno's ways of saying so), or reset
 * before it was set up (a stopping holder closed its listening socket with it still queued):
 * then nothing was sent. A reset after that may come after the call ran, so it is not retried.
 */
function refused(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code, syscall } = cause as { code?: unknown; syscall?: unknown };
    if (code === "ECONNREFUSED" || code === "ConnectionRefused" || /connection refused/i.test(cause.message)) return true;
    if (code === "ECONNRESET" && syscall === "connect") return true;
  }
  return false;
}
