import {
  DurableObject,
  RpcTarget,
  env as importedEnv,
  type DurableObjectState,
} from "cloudflare:workers";
import { encode, type Encoded } from "./encode";
import type { Env } from "./env";

export class CustomError extends Error {
  override name = "CustomError";
  code = "E_CUSTOM";
}

function chunked(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

/** Passed back by reference: the caller calls its methods over RPC. */
export class Counter extends RpcTarget {
  private n = 0;

  increment(): number {
    this.n += 1;
    return this.n;
  }
}

/** RPC targets: echo, mutation, throws, fetch; plus what the instance knows of itself. */
export class RpcProbe extends DurableObject<Env> {
  private calls = 0;

  echo<T>(value: T): T {
    return value;
  }

  /** Mutates its argument: the caller's copy must not change. */
  mutate(value: { n: number; list: number[] }): { n: number; list: number[] } {
    value.n += 1;
    value.list.push(99);
    return value;
  }

  async asyncEcho<T>(value: T): Promise<T> {
    await this.ctx.storage.put("last", value);
    return value;
  }

  /** Calls a function the caller passed (workerd sends it as a stub). */
  async callBack(fn: (x: number) => number | Promise<number>): Promise<number> {
    return await fn(2);
  }

  /** Calls another object (or this one again) of the same namespace. */
  async relay(name: string, value: unknown): Promise<unknown> {
    return this.env.RPC.getByName(name).echo(value);
  }

  async relayThrow(name: string): Promise<unknown> {
    return this.env.RPC.getByName(name).throwError("RangeError");
  }

  /** Calls a stub the caller passed as an argument. */
  async callPassedStub(stub: { whoAmI(): Promise<Encoded> }): Promise<Encoded> {
    return stub.whoAmI();
  }

  makeCounter(): Counter {
    return new Counter();
  }

  count(): number {
    this.calls += 1;
    return this.calls;
  }

  throwError(kind: string): never {
    switch (kind) {
      case "TypeError":
        throw new TypeError("bad type");
      case "RangeError":
        throw new RangeError("out of range");
      case "custom":
        throw new CustomError("custom failure");
      case "string":
        throw "a string";
      default:
        throw new Error("plain failure");
    }
  }

  async rejectAsync(): Promise<never> {
    await this.ctx.storage.get("anything");
    throw new SyntaxError("async failure");
  }

  /** The error as the caller cannot see it: its extra properties. */
  errorProperties(): Encoded {
    const error = new CustomError("x");
    return encode({ name: error.name, code: error.code });
  }

  returnsUncloneable(): unknown {
    return { f: Symbol("nope") };
  }

  /** Prototype getters are reachable over RPC (`await stub.label`); instance fields are not. */
  get label(): string {
    return "label value";
  }

  readonly field = "field value";

  response(): Response {
    return new Response("body over rpc", { status: 202, headers: { "x-kind": "rpc" } });
  }

  stream(): ReadableStream<Uint8Array> {
    return chunked(["chunk 1, ", "chunk 2"]);
  }

  /** A stream sent over RPC, read whole as text. */
  async readStream(stream: ReadableStream): Promise<string> {
    return await new Response(stream).text();
  }

  /** One BYOB read of two bytes from a stream sent over RPC (workerd's is a byte stream). */
  async readTwoBytes(stream: ReadableStream): Promise<number[]> {
    const { value } = await stream.getReader({ mode: "byob" }).read(new Uint8Array(2));
    return [...(value ?? [])];
  }

  /** Writes `chunks` to a stream sent over RPC, then closes it. */
  async writeStream(stream: WritableStream, chunks: unknown[]): Promise<void> {
    const writer = stream.getWriter();
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  }

  /** A stream of `chunks` as they are (bytes or not), returned over RPC. */
  valueStream(chunks: unknown[]): ReadableStream {
    return new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  }

  greeting(): string {
    return this.env.GREETING;
  }

  /** The env as `import { env } from "cloudflare:workers"` sees it. */
  importedGreeting(): unknown {
    return (importedEnv as { GREETING?: unknown }).GREETING;
  }

  whoAmI(): Encoded {
    const id = this.ctx.id;
    return encode({ id: id.toString(), name: id.name ?? null });
  }

  set(value: unknown): void {
    void this.ctx.storage.put("value", value);
  }

  async get(): Promise<unknown> {
    return this.ctx.storage.get("value");
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/throw") throw new TypeError("fetch handler failed");
    if (url.pathname === "/stream") return new Response(chunked(["streamed ", "body"]), { headers: { "x-streamed": "yes" } });
    const body = await request.text();
    return new Response(
      JSON.stringify({
        method: request.method,
        url: request.url,
        path: url.pathname,
        search: url.search,
        header: request.headers.get("x-probe"),
        contentType: request.headers.get("content-type"),
        body,
      }),
      { status: 201, statusText: "Made", headers: { "content-type": "application/json", "x-reply": "yes" } },
    );
  }
}

/**
 * Construction attempts per object, kept in module state per `env`: two shim Workers in one
 * process share this module but not their env.
 */
const constructionAttempts = new WeakMap<object, Map<string, number>>();

/**
 * Its constructor writes to storage, then — for the object named "fails once" — throws on
 * the first attempt. Its methods fail after writing.
 */
export class FailingConstructorProbe extends DurableObject<Env> {
  private readonly attempt: number;
  private readonly storedByFailedAttempt: unknown;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const attempts = constructionAttempts.get(env) ?? new Map<string, number>();
    constructionAttempts.set(env, attempts);
    this.attempt = (attempts.get(ctx.id.toString()) ?? 0) + 1;
    attempts.set(ctx.id.toString(), this.attempt);
    this.storedByFailedAttempt = ctx.storage.kv.get("written before throwing");
    ctx.storage.kv.put("written before throwing", this.attempt);
    if (ctx.id.name === "fails once" && this.attempt === 1) throw new RangeError("constructor failed");
  }

  ping(): Encoded {
    return encode({ attempt: this.attempt, storedByFailedAttempt: this.storedByFailedAttempt });
  }

  /** Writes, then fails the call: does the write stay? */
  async writeThenThrow(): Promise<never> {
    await this.ctx.storage.put("written by a failed call", true);
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS failed_call (v)");
    throw new Error("call failed after writing");
  }

  /** Writes inside a block that throws (which resets the object): does the write stay? */
  async writeThenThrowInBlock(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      await this.ctx.storage.put("written by a failed block", true);
      throw new Error("block failed after writing");
    });
  }

  /** Writes, then aborts the object: the call fails and the object is reset. */
  async abortAfterWriting(): Promise<string> {
    await this.ctx.storage.put("written before abort", true);
    this.ctx.abort("aborted on purpose");
    return "after abort";
  }

  /** The same resets caused through fetch(): `/abort`, `/block`, `/constraint` (a commit that fails). */
  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/abort") this.ctx.abort("aborted in fetch");
    if (path === "/block") await this.ctx.blockConcurrencyWhile(async () => Promise.reject(new TypeError("block failed in fetch")));
    if (path === "/constraint") {
      const sql = this.ctx.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS parents (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS children (parent INTEGER REFERENCES parents(id))");
      this.ctx.storage.transactionSync(() => {
        sql.exec("PRAGMA defer_foreign_keys = ON");
        sql.exec("INSERT INTO children VALUES (7)");
      });
    }
    return new Response("not reset");
  }

  async stored(): Promise<Encoded> {
    return encode({
      abort: await this.ctx.storage.get("written before abort"),
      call: await this.ctx.storage.get("written by a failed call"),
      callTable: this.ctx.storage.sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'failed_call'").one().n,
      block: await this.ctx.storage.get("written by a failed block"),
    });
  }
}

/** A class with no fetch handler. */
export class NoFetchProbe extends DurableObject {
  ping(): string {
    return "pong";
  }
}
