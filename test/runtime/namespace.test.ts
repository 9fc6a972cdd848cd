import { createHash, createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerEntrypoint, type DurableObjectNamespace } from "../../src/runtime/index";
import { hmacSha256, sha256 } from "../../src/runtime/namespace/sha256";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./helpers/objects";
import { thrown } from "./helpers/storage";

let worker: Worker;
let counters: DurableObjectNamespace<objects.Counter>;
beforeAll(async () => {
  worker = await createWorker(objects, {
    durableObjects: {
      COUNTER: { className: "Counter" },
      NOTES: { className: "Notes" },
      SAME_COUNTER: { className: "Counter" },
      FRAGILE: { className: "Fragile" },
    },
    vars: { GREETING: "hi" },
  });
  counters = worker.env.COUNTER as DurableObjectNamespace<objects.Counter>;
});
afterAll(() => worker.dispose());

describe("ids", () => {
  it("hashes like node:crypto (the id scheme's building blocks)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (key, data) => {
        expect(Buffer.from(sha256(data)).toString("hex")).toBe(createHash("sha256").update(data).digest("hex"));
        expect(Buffer.from(hmacSha256(key, data)).toString("hex")).toBe(createHmac("sha256", key).update(data).digest("hex"));
      }),
    );
  });

  it("derives ids from names deterministically, per namespace", () => {
    const id = counters.idFromName("alpha");
    expect(id.toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(id.name).toBe("alpha");
    expect(id.equals(counters.idFromName("alpha"))).toBe(true);
    expect(id.toString()).not.toBe(counters.idFromName("beta").toString());
    const notes = worker.env.NOTES as DurableObjectNamespace;
    expect(notes.idFromName("alpha").toString()).not.toBe(id.toString());
    // Two bindings to one class are one namespace.
    expect((worker.env.SAME_COUNTER as DurableObjectNamespace).idFromName("alpha").toString()).toBe(id.toString());
  });

  it("follows the documented scheme, recomputed here with node:crypto", () => {
    const key = createHash("sha256").update("dotdo:durable-object-namespace:Counter").digest();
    const identity = createHmac("sha256", key).update("name:alpha").digest().subarray(0, 16);
    const mac = createHmac("sha256", key).update(Buffer.concat([Buffer.from("id:"), identity])).digest().subarray(0, 16);
    expect(counters.idFromName("alpha").toString()).toBe(identity.toString("hex") + mac.toString("hex"));
  });

  it("parses ids, refusing malformed ones and other namespaces' with workerd's errors", async () => {
    const unique = counters.newUniqueId();
    expect(unique.name).toBeUndefined();
    expect(counters.idFromString(unique.toString().toUpperCase()).equals(unique)).toBe(true);
    for (const bad of ["", "abc", "z".repeat(64), `${unique}0`]) {
      expect(await thrown(() => counters.idFromString(bad))).toMatchObject({
        name: "TypeError",
        message: "Invalid Durable Object ID: must be 64 hex digits",
      });
    }
    const notes = worker.env.NOTES as DurableObjectNamespace;
    const foreign = notes.newUniqueId().toString();
    const tampered = unique.toString().slice(0, 63) + (unique.toString().endsWith("0") ? "1" : "0");
    for (const bad of [foreign, tampered, "0".repeat(64), randomBytes(32).toString("hex")]) {
      expect(await thrown(() => counters.idFromString(bad))).toMatchObject({
        name: "TypeError",
        message: "Durable Object ID is not valid for this namespace.",
      });
    }
    expect(await thrown(() => counters.get(notes.idFromName("x")))).toMatchObject({ name: "TypeError" });
  });
});

describe("stubs", () => {
  it("calls methods over RPC with cloned arguments and results", async () => {
    const stub = counters.getByName("rpc");
    expect(stub.name).toBe("rpc");
    const value = { when: new Date(1), tags: new Set(["a"]), big: 2n ** 70n, bytes: new Uint8Array([1, 2]) };
    const echoed = await stub.echo(value);
    expect(echoed).toEqual(value);
    expect(echoed).not.toBe(value);
    expect(await stub.whoAmI()).toEqual({ id: stub.id.toString(), name: "rpc" });
    expect(await stub.answer).toBe(42);
    expect(typeof (stub as unknown as Record<string, unknown>).nope).toBe("function");
  });

  it("rethrows errors the way workerd does", async () => {
    const stub = counters.getByName("errors");
    expect(await thrown(() => stub.fail("type"))).toMatchObject({ name: "TypeError", message: "bad type", remote: true });
    const custom = await thrown(() => stub.fail("custom"));
    expect(custom.constructor).toBe(Error);
    expect(custom).toMatchObject({ message: "CustomError: custom failure", remote: true });
    const missing = stub as unknown as { nope(): Promise<unknown>; instanceValue(): Promise<unknown> };
    for (const call of [() => missing.nope(), () => missing.instanceValue()]) {
      expect((await thrown(call)).message).toMatch(/^The RPC receiver does not implement the method "(nope|instanceValue)"\.$/);
    }
    class Thing {
      x = 1;
    }
    expect(await thrown(() => stub.echo(new Thing()))).toMatchObject({
      name: "DataCloneError",
      message: 'Could not serialize object of type "Thing". This type does not support serialization.',
    });
    expect(await thrown(() => stub.echo(Symbol("s")))).toMatchObject({ name: "DataCloneError", message: "Symbol(s) could not be cloned." });
  });

  it("passes functions and RpcTargets by reference", async () => {
    const stub = counters.getByName("references");
    expect(await stub.callBack((x) => x * 10)).toBe(20);
    expect(await stub.callBack(async (x) => x + 1)).toBe(3);
    const tally = await stub.makeTally();
    expect([await tally.add(1), await tally.add(2)]).toEqual([1, 3]);
    const other = counters.getByName("other");
    expect(await stub.askOther(other)).toEqual({ id: other.id.toString(), name: "other" });
    const response = await stub.makeResponse();
    expect([response.status, await response.text()]).toEqual([202, "body over rpc"]);
  });

  it("fetches through the stub", async () => {
    const stub = counters.getByName("fetch");
    const response = await stub.fetch("http://do/path", { method: "POST", body: "hello" });
    expect([response.status, await response.text()]).toEqual([201, "POST /path hello"]);
    expect(await thrown(() => stub.fetch("not a url"))).toMatchObject({ name: "TypeError", message: "Invalid URL: not a url" });
    const notes = (worker.env.NOTES as DurableObjectNamespace).getByName("x");
    expect(await thrown(() => notes.fetch("http://do/"))).toMatchObject({ message: "Handler does not export a fetch() function.", remote: true });
  });

  it("keeps one live instance per id and isolates ids", async () => {
    const a1 = counters.getByName("one");
    const a2 = counters.get(counters.idFromName("one"));
    const b = counters.getByName("two");
    // The constructor's blockConcurrencyWhile ran before the first call (100, then +1).
    expect(await a1.bumpInstance()).toBe(101);
    expect(await a2.bumpInstance()).toBe(102);
    expect(await b.bumpInstance()).toBe(101);
  });

  it("keeps concurrent read-modify-write calls atomic through the input gate", async () => {
    const stub = counters.getByName("gate");
    const results = await Promise.all(Array.from({ length: 10 }, () => stub.increment()));
    expect(results.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("resets", () => {
  it("discard the writes of a failed constructor or block, keep those of a failed call", async () => {
    const fragile = worker.env.FRAGILE as DurableObjectNamespace<objects.Fragile>;
    const failing = fragile.getByName("throws in constructor");
    expect(await thrown(() => failing.seenByConstructor())).toMatchObject({ name: "RangeError", message: "constructor failed" });
    expect(await thrown(() => failing.seenByConstructor())).toMatchObject({ message: "constructor failed" });
    expect(await fragile.getByName("throws in constructor").seenByConstructor()).toBeUndefined();

    const writer = fragile.getByName("writes");
    expect((await thrown(() => writer.failAfterWrite())).message).toBe("call failed");
    expect((await thrown(() => writer.failInBlock())).message).toBe("block failed");
    expect(await fragile.getByName("writes").written()).toEqual([true, undefined]);
  });
});

describe("ctx.abort", () => {
  it("fails the running call and the same stub's later calls, like workerd", async () => {
    const fragile = worker.env.FRAGILE as DurableObjectNamespace<objects.Fragile>;
    const stub = fragile.getByName("aborts");
    expect(await stub.written()).toEqual([undefined, undefined]);
    const failure = await thrown(() => stub.abortNow());
    expect(failure.constructor).toBe(Error);
    expect(failure.message).toBe("RangeError: aborted on purpose");
    expect((await thrown(() => stub.written())).message).toBe("RangeError: aborted on purpose");
    expect(await fragile.getByName("aborts").seenByConstructor()).toBe(true);
  });
});

describe("createWorker", () => {
  it("serves the module's fetch with env (vars and namespaces)", async () => {
    const response = await worker.fetch(new Request("http://w/hello"));
    expect(await response.text()).toBe("worker /hello COUNTER,FRAGILE,GREETING,NOTES,SAME_COUNTER");
  });

  it("runs a WorkerEntrypoint default export, with fetch and scheduled", async () => {
    const seen: string[] = [];
    class Entry extends WorkerEntrypoint<Record<string, unknown>> {
      override async fetch(request: Request): Promise<Response> {
        return new Response(`${new URL(request.url).pathname} ${String(this.env.GREETING)}`);
      }
      override async scheduled(controller: { cron: string }): Promise<void> {
        seen.push(controller.cron);
      }
    }
    const entry = await createWorker({ default: Entry }, { durableObjects: {}, vars: { GREETING: "hey" } });
    expect(await (await entry.fetch(new Request("http://w/a"))).text()).toBe("/a hey");
    await entry.scheduled({ cron: "*/5 * * * *" });
    expect(seen).toEqual(["*/5 * * * *"]);
    await entry.dispose();
  });

  it("answers 500 for an uncaught exception in the Worker's fetch, as Cloudflare does", async () => {
    const failing = await createWorker(
      { default: { fetch: () => Promise.reject(new Error("boom")) } },
      { durableObjects: {} },
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (error: unknown) => void errors.push(error);
    try {
      expect((await failing.fetch(new Request("http://w/"))).status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
    await failing.dispose();
  });

  it("refuses a binding to a class the module does not export", async () => {
    expect(await thrown(() => createWorker(objects, { durableObjects: { X: { className: "Missing" } } }))).toMatchObject({
      code: "WORKER_CONFIG_INVALID",
      message: 'Durable Object binding X names class "Missing", which the Worker module does not export',
    });
  });
});
