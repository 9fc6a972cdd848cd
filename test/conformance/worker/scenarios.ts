import { encode, isErrorLike, outcome, type Encoded } from "./encode";
import type { Env } from "./env";

type Scenario = (env: Env) => Promise<unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HEX64 = /^[0-9a-f]{64}$/;

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last reading either way. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(50);
    value = await read();
  }
  return value;
}

/** Errors as a caller sees them after they cross a stub. */
async function rpcError(fn: () => Promise<unknown>): Promise<Encoded> {
  try {
    return { ok: encode(await fn()) };
  } catch (error) {
    if (!isErrorLike(error)) return { threwNonError: encode(error) };
    const e = error as Error & { code?: unknown; remote?: unknown };
    return {
      threw: {
        name: e.name,
        message: e.message,
        constructor: e.constructor.name,
        code: encode(e.code),
        remote: encode(e.remote),
      },
    };
  }
}

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

export const scenarios: Record<string, Scenario> = {
  "sql value types": (env) => env.SQL.getByName("types").valueTypes(),
  "sql odd bindings": (env) => env.SQL.getByName("bindings").oddBindings(),
  "sql integers beyond 2^53": (env) => env.SQL.getByName("bigint").bigIntegers(),
  "sql column affinity": (env) => env.SQL.getByName("affinity").columnAffinity(),
  "sql features and extensions": (env) => env.SQL.getByName("features").features(),
  "sql full-text search (FTS5)": (env) => env.SQL.getByName("fts5").fullTextSearch(),
  "sql refused modules and functions": (env) => env.SQL.getByName("refused").refusedFeatures(),
  "sql parameter styles": (env) => env.SQL.getByName("params").parameterStyles(),
  "sql errors": (env) => env.SQL.getByName("errors").errors(),
  "sql multi-statement exec": (env) => env.SQL.getByName("multi").multiStatement(),
  "sql cursor methods": (env) => env.SQL.getByName("cursor").cursor(),
  "sql interleaved cursors": (env) => env.SQL.getByName("interleaved").interleavedCursors(),
  "sql RETURNING": (env) => env.SQL.getByName("returning").returning(),
  "sql databaseSize grows": (env) => env.SQL.getByName("size").databaseSize(),
  "sql limits": (env) => env.SQL.getByName("limits").limits(),
  "sql transactionSync": (env) => env.SQL.getByName("txsync").transactionSync(),
  "sql deleteAll drops tables and KV, keeps the alarm": (env) => env.SQL.getByName("deleteall").deleteAll(),
  "sql visible tables": (env) => env.SQL.getByName("tables").visibleTables(),

  "kv single keys": (env) => env.KV.getByName("single").singleKeys(),
  "kv batches and the 128-key limit": (env) => env.KV.getByName("batch").batches(),
  "kv list options and key order": (env) => env.KV.getByName("list").listing(),
  "kv list prefixes with wildcard characters": (env) => env.KV.getByName("wildcards").wildcardPrefixes(),
  "kv structured-clone round trips": (env) => env.KV.getByName("clone").roundTrips(),
  "kv values are copies": (env) => env.KV.getByName("copies").copies(),
  "kv synchronous API (storage.kv)": (env) => env.KV.getByName("sync").syncKv(),
  "kv uncloneable values": (env) => env.KV.getByName("uncloneable").uncloneable(),
  "kv key and value size limits": (env) => env.KV.getByName("sizes").sizeLimits(),
  "kv deleteAll": (env) => env.KV.getByName("deleteall").deleteAll(),
  "kv transaction(async)": (env) => env.KV.getByName("txn").transactions(),
  "kv DDL rolls back with transactionSync": (env) => env.KV.getByName("ddl").ddlRollback(),
  "input gate keeps read-modify-write atomic": async (env) => {
    const stub = env.KV.getByName("gate");
    const results = await Promise.all(Array.from({ length: 10 }, () => stub.increment()));
    return { sorted: [...results].sort((a, b) => a - b), final: await stub.increment() };
  },

  "alarm API edges": (env) => env.ALARM.getByName("edges").apiEdges(),
  "alarm fires once": async (env) => {
    const stub = env.ALARM.getByName("fires");
    const armed = await stub.arm(50);
    const state = await until(() => stub.state(), (s) => s.runs.length >= 1 && !s.pending, 10_000);
    await sleep(200);
    return { armed, state, settled: await stub.state() };
  },
  "alarm retries after a throw": async (env) => {
    const stub = env.ALARM.getByName("retries");
    const armed = await stub.arm(0, 1);
    const state = await until(() => stub.state(), (s) => s.runs.length >= 2 && !s.pending, 20_000);
    return { armed, state };
  },
  "alarm set again from its handler": async (env) => {
    const stub = env.ALARM.getByName("reschedules");
    await stub.arm(0, 0, 2);
    return until(() => stub.state(), (s) => s.runs.length >= 3 && !s.pending, 10_000);
  },
  "alarm deleted before it fires": async (env) => {
    const stub = env.ALARM.getByName("deleted");
    await stub.arm(1_000);
    await stub.apiEdges(); // ends with the alarm deleted
    await sleep(1_500);
    return stub.state();
  },
  "alarm without a handler": (env) => env.NO_ALARM.getByName("x").trySetAlarm(),

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
  "constructor that throws": async (env) => {
    const stub = env.FAILING.getByName("fails once");
    return {
      first: await rpcError(() => stub.ping()),
      sameStubAgain: await rpcError(() => stub.ping()),
      newStub: await rpcError(() => env.FAILING.getByName("fails once").ping()),
    };
  },
  "writes of failed calls": async (env) => {
    const failed = await rpcError(() => env.FAILING.getByName("writes").writeThenThrow());
    const afterCall = await rpcError(() => env.FAILING.getByName("writes").stored());
    const failedBlock = await rpcError(() => env.FAILING.getByName("writes").writeThenThrowInBlock());
    const afterBlock = await rpcError(() => env.FAILING.getByName("writes").stored());
    return { failed, afterCall, failedBlock, afterBlock };
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
  }),

  "ids from names": async (env) => {
    const a = env.RPC.idFromName("alpha");
    const a2 = env.RPC.idFromName("alpha");
    const b = env.RPC.idFromName("beta");
    const inside = await env.RPC.get(a).whoAmI();
    const roundTrip = env.RPC.idFromString(a.toString());
    return encode({
      hex64: HEX64.test(a.toString()),
      deterministic: a.toString() === a2.toString(),
      equals: a.equals(a2),
      differs: !a.equals(b) && a.toString() !== b.toString(),
      name: a.name,
      inside: { sameId: (inside as { id: string }).id === a.toString(), name: (inside as { name: unknown }).name },
      roundTripEquals: roundTrip.equals(a),
      roundTripName: roundTrip.name ?? null,
      otherNamespaceDiffers: env.SQL.idFromName("alpha").toString() !== a.toString(),
      emptyName: await outcome(() => HEX64.test(env.RPC.idFromName("").toString())),
      stubId: env.RPC.get(a).id.equals(a),
      stubName: env.RPC.get(a).name ?? null,
      byNameStubId: env.RPC.getByName("alpha").id.equals(a),
    });
  },
  "ids unique": async (env) => {
    const ids = Array.from({ length: 20 }, () => env.RPC.newUniqueId());
    const strings = new Set(ids.map((id) => id.toString()));
    const first = ids[0]!;
    const inside = await env.RPC.get(first).whoAmI();
    return encode({
      allHex64: ids.every((id) => HEX64.test(id.toString())),
      unique: strings.size === ids.length,
      name: first.name ?? null,
      insideSameId: (inside as { id: string }).id === first.toString(),
      roundTrip: env.RPC.idFromString(first.toString()).equals(first),
    });
  },
  "ids from bad strings": async (env) => {
    const valid = env.RPC.idFromName("valid").toString();
    const parse = (s: unknown) => outcome(() => env.RPC.idFromString(s as string).toString() === valid);
    return {
      empty: await parse(""),
      tooShort: await parse("abc"),
      nonHex: await parse("z".repeat(64)),
      length63: await parse(valid.slice(0, 63)),
      length65: await parse(`${valid}0`),
      uppercase: await parse(valid.toUpperCase()),
      allZeros: await parse("0".repeat(64)),
      flippedLastDigit: await parse(valid.slice(0, 63) + (valid.endsWith("0") ? "1" : "0")),
      otherNamespace: await parse(env.SQL.idFromName("valid").toString()),
      nonString: await parse(42),
      valid: await parse(valid),
    };
  },

  "blockConcurrencyWhile in the constructor": async (env) => {
    const stub = env.CONCURRENCY.getByName("constructor");
    return stub.note("first call");
  },
  "calls interleave while a method awaits": async (env) => {
    const stub = env.CONCURRENCY.getByName("interleave");
    await stub.history();
    const [arrived, log] = await Promise.all([stub.waitForNote(5_000), stub.note("during wait")]);
    return { arrived, log, final: await stub.history() };
  },
  "blockConcurrencyWhile in a method holds other calls": async (env) => {
    const stub = env.CONCURRENCY.getByName("block");
    await stub.history();
    const [arrived, log] = await Promise.all([stub.blockForNote(300), stub.note("after block")]);
    return { arrived, log, final: await stub.history() };
  },
  "blockConcurrencyWhile result and rejection": async (env) => {
    const stub = env.CONCURRENCY.getByName("result");
    const value = await stub.blockReturns();
    const before = await stub.note("before throw");
    const thrown = await rpcError(() => stub.blockThrows());
    // workerd resets an object whose block callback throws: the next call meets a new instance.
    const sameStubAfter = await rpcError(() => stub.note("same stub after throw"));
    const newStubAfter = await rpcError(() => env.CONCURRENCY.getByName("result").note("new stub after throw"));
    return { value, before, thrown, sameStubAfter, newStubAfter };
  },
};
