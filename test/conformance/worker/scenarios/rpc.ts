import { env as importedEnv } from "cloudflare:workers";
import { encode, type Encoded } from "../encode";
import { rpcError, type Scenario } from "./helpers";

/** Values sent through RPC arguments and results. */
function rpcSamples(): Record<string, unknown> {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  return {
    undefined: undefined,
    null: null,
    number: -1.5,
    negativeZero: -0,
    nan: Number.NaN,
    bigint: 2n ** 80n,
    string: "ü😀",
    date: new Date(86_400_000),
    map: new Map<unknown, unknown>([[1, "one"], ["two", new Set([2])]]),
    set: new Set(["a", 1]),
    arrayBuffer: new Uint8Array([0, 255]).buffer,
    uint8: new Uint8Array([1, 2]),
    float32: new Float32Array([1.5]),
    regexp: /x/y,
    error: new RangeError("cloned error"),
    nested: { a: [1, { b: [new Date(0)] }] },
    cyclic,
    sparseArray: [1, , 3],
    classInstance: new (class Thing {
      field = "f";
    })(),
  };
}

/** Stubs: RPC cloning, references, errors, fetch, constructors and failed calls. */
export const rpcScenarios: Record<string, Scenario> = {
  "rpc arguments and results are cloned": async (env) => {
    const stub = env.RPC.getByName("echo");
    const out: Record<string, Encoded> = {};
    for (const [name, value] of Object.entries(rpcSamples())) {
      out[name] = await rpcError(() => stub.echo(value as never));
    }
    const arg = { n: 1, list: [1] };
    const mutated = await stub.mutate(arg);
    out.mutation = encode({ caller: arg, returned: mutated });
    out.asyncEcho = await rpcError(() => stub.asyncEcho(new Map([["m", 1n]])));
    return out;
  },
  "rpc uncloneable arguments and results": async (env) => {
    const stub = env.RPC.getByName("uncloneable");
    return {
      symbolArg: await rpcError(() => stub.echo(Symbol("s") as never)),
      weakMapArg: await rpcError(() => stub.echo(new WeakMap() as never)),
      symbolResult: await rpcError(() => stub.returnsUncloneable() as Promise<unknown>),
    };
  },
  "rpc functions and RpcTargets cross by reference": async (env) => {
    const stub = env.RPC.getByName("references");
    return {
      callback: await rpcError(() => stub.callBack((x) => x * 10)),
      asyncCallback: await rpcError(() => stub.callBack(async (x) => x + 1)),
      counter: await rpcError(async () => {
        const counter = await stub.makeCounter();
        return [await counter.increment(), await counter.increment()];
      }),
    };
  },
  "rpc property getters and fields": async (env) => {
    const stub = env.RPC.getByName("properties");
    return {
      getter: await rpcError(async () => stub.label),
      field: await rpcError(async () => stub.field),
    };
  },
  "rpc Response and ReadableStream results": async (env) => {
    const stub = env.RPC.getByName("bodies");
    return {
      response: await rpcError(async () => {
        const response = await stub.response();
        return { status: response.status, kind: response.headers.get("x-kind"), body: await response.text() };
      }),
      stream: await rpcError(async () => new Response(await stub.stream()).text()),
    };
  },
  "rpc streams: bytes, strings and other values": async (env) => {
    const stub = env.RPC.getByName("streams");
    const values = (...chunks: unknown[]) =>
      new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });
    const sent = values(new Uint8Array([65]), new Uint8Array(0), new Uint8Array([66]).buffer, new DataView(new Uint8Array([67]).buffer));
    const locked = values();
    locked.getReader();
    const written: string[] = [];
    const sink = new WritableStream({
      write(chunk: ArrayBufferLike) {
        written.push(`${Object.prototype.toString.call(chunk)} ${[...new Uint8Array(chunk)].join(",")}`);
      },
    });
    const returned = (chunks: unknown[]) => rpcError(async () => new Response(await stub.valueStream(chunks)).text());
    return {
      bytes: await rpcError(() => stub.readStream(sent)),
      sentIsLocked: sent.locked,
      strings: await rpcError(() => stub.readStream(values("a", "é"))),
      objects: await rpcError(() => stub.readStream(values(new Uint8Array([65]), {}))),
      locked: await rpcError(() => stub.readStream(locked)),
      byob: await rpcError(() => stub.readTwoBytes(values(new Uint8Array([1, 2, 3])))),
      returnedBytes: await returned([new Uint8Array([65, 66])]),
      returnedStrings: await returned(["a", "b"]),
      returnedObjects: await returned([1]),
      write: await rpcError(() => stub.writeStream(sink, [new Uint8Array([1, 2]), "é", new Uint8Array(0), new Uint16Array([3]).buffer])),
      written,
      sinkIsLocked: sink.locked,
    };
  },
  "constructor that throws": async (env) => {
    const stub = env.FAILING.getByName("fails once");
    return {
      first: await rpcError(() => stub.ping()),
      sameStubAgain: await rpcError(() => stub.ping()),
      newStub: await rpcError(() => env.FAILING.getByName("fails once").ping()),
    };
  },
  "ctx.abort resets the object": async (env) => {
    const stub = env.FAILING.getByName("aborts");
    return {
      before: await rpcError(() => stub.ping()),
      abort: await rpcError(() => stub.abortAfterWriting()),
      sameStub: await rpcError(() => stub.ping()),
      newStub: await rpcError(() => env.FAILING.getByName("aborts").ping()),
      stored: await rpcError(() => env.FAILING.getByName("aborts").stored()),
    };
  },
  "resets seen through fetch(): the call that caused one, and later calls": async (env) => {
    const reset = async (name: string, path: string) => {
      const stub = env.FAILING.getByName(name);
      const text = async () => (await stub.fetch(`http://object${path}`)).text();
      return { first: await rpcError(text), sameStub: await rpcError(text) };
    };
    return {
      abort: await reset("fetch abort", "/abort"),
      block: await reset("fetch block", "/block"),
      constraint: await reset("fetch constraint", "/constraint"),
    };
  },
  "writes of failed calls": async (env) => {
    const failed = await rpcError(() => env.FAILING.getByName("writes").writeThenThrow());
    const afterCall = await rpcError(() => env.FAILING.getByName("writes").stored());
    const failedBlock = await rpcError(() => env.FAILING.getByName("writes").writeThenThrowInBlock());
    const afterBlock = await rpcError(() => env.FAILING.getByName("writes").stored());
    return { failed, afterCall, failedBlock, afterBlock };
  },
  "rpc between objects": async (env) => {
    const a = env.RPC.getByName("relay a");
    const passed = env.RPC.getByName("passed");
    return {
      relay: await rpcError(() => a.relay("relay b", new Map([[1, 2n]]))),
      relayThrow: await rpcError(() => a.relayThrow("relay b")),
      reentrant: await rpcError(() => a.relay("relay a", "back to itself")),
      passedStub: await rpcError(async () => {
        const seen = (await a.callPassedStub(passed)) as { id: string; name: unknown };
        return { sameId: seen.id === passed.id.toString(), name: seen.name };
      }),
    };
  },
  "rpc thrown errors": async (env) => {
    const stub = env.RPC.getByName("errors");
    return {
      error: await rpcError(() => stub.throwError("Error")),
      typeError: await rpcError(() => stub.throwError("TypeError")),
      rangeError: await rpcError(() => stub.throwError("RangeError")),
      custom: await rpcError(() => stub.throwError("custom")),
      string: await rpcError(() => stub.throwError("string")),
      async: await rpcError(() => stub.rejectAsync()),
      stillUsable: await rpcError(() => stub.count()),
    };
  },
  "rpc missing method": async (env) => {
    const stub = env.RPC.getByName("missing") as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return {
      missing: await rpcError(() => stub.nope!()),
      privateField: await rpcError(() => stub.calls!()),
      typeofMissing: typeof stub.nope,
    };
  },
  "rpc state per instance": async (env) => {
    const a1 = env.RPC.getByName("state-a");
    const a2 = env.RPC.get(env.RPC.idFromName("state-a"));
    const b = env.RPC.getByName("state-b");
    return [await a1.count(), await a2.count(), await b.count(), await a1.count()];
  },
  "rpc storage isolation": async (env) => {
    const a = env.RPC.getByName("iso-a");
    const b = env.RPC.getByName("iso-b");
    await a.set("for a");
    return encode({ a: await a.get(), b: await b.get(), aAgain: await env.RPC.getByName("iso-a").get() });
  },
  "stub fetch": async (env) => {
    const stub = env.RPC.getByName("fetch");
    const response = await stub.fetch("https://example.com/path/x?q=1", {
      method: "POST",
      headers: { "x-probe": "p", "content-type": "text/plain" },
      body: "request body",
    });
    const get = await stub.fetch(new Request("http://do.internal/"));
    return {
      status: response.status,
      statusText: response.statusText,
      reply: response.headers.get("x-reply"),
      body: await response.json(),
      getBody: await get.json(),
    };
  },
  "stub fetch streams its body": async (env) => {
    const response = await env.RPC.getByName("fetch-stream").fetch("http://do/stream");
    return { streamed: response.headers.get("x-streamed"), body: await response.text() };
  },
  "class without extends DurableObject": async (env) => {
    const stub = env.LEGACY.getByName("legacy");
    const visit = async () => (await stub.fetch("http://do/")).json();
    const rpc = stub as unknown as { ping(): Promise<string> };
    return { first: await visit(), second: await visit(), rpc: await rpcError(() => rpc.ping()) };
  },
  "stub fetch errors": async (env) => {
    const throwing = env.RPC.getByName("fetch-throws");
    const noHandler = env.NO_FETCH.getByName("x");
    return {
      handlerThrows: await rpcError(() => throwing.fetch("http://do/throw")),
      noHandler: await rpcError(async () => {
        const response = await noHandler.fetch("http://do/");
        return { status: response.status, body: await response.text() };
      }),
      rpcOnNoFetch: await rpcError(() => noHandler.ping()),
      badUrl: await rpcError(() => throwing.fetch("not a url")),
    };
  },
  "vars reach the Worker and the object": async (env) => ({
    worker: env.GREETING,
    object: await env.RPC.getByName("vars").greeting(),
    importedInWorker: (importedEnv as { GREETING?: unknown }).GREETING,
    importedInObject: await env.RPC.getByName("vars").importedGreeting(),
  }),
};
