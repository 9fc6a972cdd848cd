import { DurableObject, RpcTarget, type AlarmInvocationInfo, type DurableObjectState } from "../../../src/runtime/index";

/** Returned by reference over RPC: calls on the caller's side reach this very object. */
export class Tally extends RpcTarget {
  #n = 0;

  add(by: number): number {
    this.#n += by;
    return this.#n;
  }
}

/** A counter with storage, RPC, errors and a getter: the shapes the tests poke at. */
export class Counter extends DurableObject<Record<string, unknown>> {
  instanceValue = 0;
  readonly constructedAt = Date.now();

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.instanceValue = 100;
    });
  }

  async increment(by = 1): Promise<number> {
    const next = ((await this.ctx.storage.get<number>("count")) ?? 0) + by;
    await this.ctx.storage.put("count", next);
    return next;
  }

  bumpInstance(): number {
    return ++this.instanceValue;
  }

  echo<T>(value: T): T {
    return value;
  }

  whoAmI(): { id: string; name: string | undefined } {
    return { id: this.ctx.id.toString(), name: this.ctx.id.name };
  }

  fail(kind: string): never {
    if (kind === "type") throw new TypeError("bad type");
    class CustomError extends Error {
      override name = "CustomError";
    }
    throw new CustomError("custom failure");
  }

  async callBack(fn: (x: number) => number | Promise<number>): Promise<number> {
    return fn(2);
  }

  makeTally(): Tally {
    return new Tally();
  }

  async askOther(other: { whoAmI(): Promise<{ id: string; name: string | undefined }> }): Promise<{ id: string; name: string | undefined }> {
    return other.whoAmI();
  }

  makeResponse(): Response {
    return new Response("body over rpc", { status: 202 });
  }

  get answer(): number {
    return 42;
  }

  override async fetch(request: Request): Promise<Response> {
    return new Response(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`, { status: 201 });
  }
}

/** Records alarm runs in KV; throws while `failures` (in KV) is above zero. */
export class Alarmed extends DurableObject {
  async schedule(at: number, failures = 0): Promise<void> {
    await this.ctx.storage.put("failures", failures);
    await this.ctx.storage.setAlarm(at);
  }

  async runs(): Promise<AlarmInvocationInfo[]> {
    return (await this.ctx.storage.get<AlarmInvocationInfo[]>("runs")) ?? [];
  }

  async pending(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    const runs = await this.runs();
    await this.ctx.storage.put("runs", [...runs, { ...info, alarmSeenInside: await this.ctx.storage.getAlarm() }]);
    const failures = (await this.ctx.storage.get<number>("failures")) ?? 0;
    if (failures > 0) {
      await this.ctx.storage.put("failures", failures - 1);
      throw new Error("alarm failed");
    }
  }
}

/** Writes, then fails in the ways that reset an object (or not). */
export class Fragile extends DurableObject {
  readonly #before: unknown;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.#before = ctx.storage.kv.get("constructor wrote");
    ctx.storage.kv.put("constructor wrote", true);
    if (ctx.id.name === "throws in constructor" && !constructed.has(ctx.id.toString())) {
      constructed.add(ctx.id.toString());
      throw new RangeError("constructor failed");
    }
  }

  seenByConstructor(): unknown {
    return this.#before;
  }

  async failAfterWrite(): Promise<never> {
    await this.ctx.storage.put("call wrote", true);
    throw new Error("call failed");
  }

  async failInBlock(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      await this.ctx.storage.put("block wrote", true);
      throw new Error("block failed");
    });
  }

  abortNow(): string {
    this.ctx.abort(new RangeError("aborted on purpose"));
  }

  async written(): Promise<unknown[]> {
    return [await this.ctx.storage.get("call wrote"), await this.ctx.storage.get("block wrote")];
  }
}
const constructed = new Set<string>();

/** Keeps rows in SQL; used to see state survive eviction. */
export class Notes extends DurableObject {
  add(text: string): number {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes(text TEXT)");
    this.ctx.storage.sql.exec("INSERT INTO notes VALUES (?)", text);
    return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM notes").one().n as number;
  }

  async addLater(text: string, ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.add(text);
  }

  all(): string[] {
    return this.ctx.storage.sql.exec("SELECT text FROM notes").toArray().map((row) => row.text as string);
  }
}

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    return new Response(`worker ${new URL(request.url).pathname} ${Object.keys(env).sort().join(",")}`);
  },
};
