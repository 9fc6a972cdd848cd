import { DurableObject } from "cloudflare:workers";
import { encode, outcome, type Encoded, type Outcome } from "./encode";

/** Keys whose order differs between UTF-16 code units, code points and locale collation. */
export const TRICKY_KEYS = [
  "b",
  "",
  "a",
  "A",
  "Z",
  "ab",
  "a\u0000b",
  "10",
  "9",
  "é",
  "e\u0301",
  "\uFFFF",
  "😀",
  "\uE000",
  " ",
  "~",
];

const keysOf = (map: Map<string, unknown>) => [...map.keys()];

/** One behaviour of the asynchronous KV API per method. */
export class KvProbe extends DurableObject {
  async singleKeys(): Promise<Record<string, Outcome>> {
    return {
      missing: await outcome(() => this.ctx.storage.get("missing")),
      putReturns: await outcome(() => this.ctx.storage.put("one", 1)),
      get: await outcome(() => this.ctx.storage.get("one")),
      overwrite: await outcome(async () => {
        await this.ctx.storage.put("one", "uno");
        return this.ctx.storage.get("one");
      }),
      deleteExisting: await outcome(() => this.ctx.storage.delete("one")),
      deleteMissing: await outcome(() => this.ctx.storage.delete("one")),
      afterDelete: await outcome(() => this.ctx.storage.get("one")),
      putUndefined: await outcome(() => this.ctx.storage.put("u", undefined)),
      getUndefinedStored: await outcome(() => this.ctx.storage.get("u")),
      emptyKey: await outcome(async () => {
        await this.ctx.storage.put("", "empty");
        return this.ctx.storage.get("");
      }),
      nonStringKey: await outcome(() => this.ctx.storage.put(42 as never, 1)),
      getNonString: await outcome(() => this.ctx.storage.get(42 as never)),
    };
  }

  async batches(): Promise<Record<string, Outcome>> {
    const entries = (n: number, prefix: string) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(3, "0")}`, i]));
    const keys = (n: number, prefix: string) => Object.keys(entries(n, prefix));
    return {
      put128: await outcome(() => this.ctx.storage.put(entries(128, "p"))),
      put129: await outcome(() => this.ctx.storage.put(entries(129, "q"))),
      afterPut129: await outcome(async () => (await this.ctx.storage.list({ prefix: "q" })).size),
      get128: await outcome(async () => (await this.ctx.storage.get(keys(128, "p"))).size),
      get129: await outcome(() => this.ctx.storage.get(keys(129, "p"))),
      getManyOrder: await outcome(async () => keysOf(await this.ctx.storage.get(["p005", "missing", "p001", "p003"]))),
      getManyDuplicate: await outcome(async () => keysOf(await this.ctx.storage.get(["p001", "p001"]))),
      getManyEmpty: await outcome(() => this.ctx.storage.get([])),
      deleteNoKeys: await outcome(() => this.ctx.storage.delete([])),
      delete128: await outcome(() => this.ctx.storage.delete(keys(128, "p"))),
      delete129: await outcome(() => this.ctx.storage.delete(keys(129, "p"))),
      deleteCountsExisting: await outcome(async () => {
        await this.ctx.storage.put({ d1: 1, d2: 2 });
        return this.ctx.storage.delete(["d1", "d2", "d3"]);
      }),
      putWithUndefinedValue: await outcome(() => this.ctx.storage.put({ x: undefined })),
      putEmptyObject: await outcome(() => this.ctx.storage.put({})),
    };
  }

  async listing(): Promise<Record<string, Outcome>> {
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.put(Object.fromEntries(TRICKY_KEYS.map((k, i) => [k, i])));
    await this.ctx.storage.put({ "p:1": 1, "p:2": 2, "p:3": 3, "p;": 4, p: 5 });
    const list = (options?: Parameters<typeof this.ctx.storage.list>[0]) =>
      outcome(async () => keysOf(await this.ctx.storage.list(options)));
    return {
      all: await list(),
      prefix: await list({ prefix: "p:" }),
      prefixEmpty: await list({ prefix: "" }),
      start: await list({ start: "a", end: "b" }),
      startAfter: await list({ startAfter: "a", end: "b" }),
      end: await list({ end: "Z" }),
      limit: await list({ limit: 3 }),
      reverse: await list({ reverse: true, limit: 4 }),
      reverseRange: await list({ start: "9", end: "b", reverse: true }),
      prefixAndStart: await list({ prefix: "p:", start: "p:2" }),
      prefixAndEnd: await list({ prefix: "p:", end: "p:3" }),
      startAfterEnd: await list({ start: "z", end: "a" }),
      startAndStartAfter: await list({ start: "a", startAfter: "a" }),
      limitZero: await list({ limit: 0 }),
      limitNegative: await list({ limit: -1 }),
      limitFraction: await list({ limit: 1.5 }),
      prefixWithEarlierStart: await list({ prefix: "p:", start: "a" }),
      prefixWithLaterEnd: await list({ prefix: "p:", end: "zz" }),
      prefixReverseLimit: await list({ prefix: "p", reverse: true, limit: 2 }),
      startEqualsEnd: await list({ start: "b", end: "b" }),
      startAfterLastKey: await list({ startAfter: "😀" }),
      endBeforeFirstKey: await list({ end: "" }),
      limitBeyondCount: await list({ prefix: "p:", limit: 1000 }),
      values: await outcome(async () => [...(await this.ctx.storage.list({ prefix: "p:" })).values()]),
    };
  }

  /** Prefixes holding LIKE / GLOB wildcards and escapes match literally. */
  async wildcardPrefixes(): Promise<Record<string, Outcome>> {
    const keys = ["a%b", "a%", "a_b", "axb", "ab", "a*b", "a?b", "a[b", "a\\b", "a\\", "a'b", 'a"b'];
    await this.ctx.storage.put(Object.fromEntries(keys.map((k) => [k, 1])));
    const list = (prefix: string) => outcome(async () => keysOf(await this.ctx.storage.list({ prefix })));
    return {
      percent: await list("a%"),
      underscore: await list("a_"),
      star: await list("a*"),
      question: await list("a?"),
      bracket: await list("a["),
      backslash: await list("a\\"),
      quote: await list("a'"),
      doubleQuote: await list('a"'),
    };
  }

  /** Values go in and come back through structured clone. */
  async roundTrips(): Promise<Record<string, Outcome>> {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const samples: Record<string, unknown> = {
      string: "s",
      number: 1.25,
      negativeZero: -0,
      nan: Number.NaN,
      infinity: Number.NEGATIVE_INFINITY,
      bigint: 2n ** 70n,
      negativeBigint: -(2n ** 70n),
      boolean: false,
      null: null,
      date: new Date(1_700_000_000_123),
      invalidDate: new Date(Number.NaN),
      regexp: /a+b/gi,
      map: new Map<unknown, unknown>([["k", 1], [2, { deep: [1, 2] }]]),
      set: new Set([1, "two", 3n]),
      arrayBuffer: new Uint8Array([1, 2, 3]).buffer,
      uint8: new Uint8Array([9, 8, 7]),
      int16: new Int16Array([-1, 300]),
      float64: new Float64Array([0.5, -2]),
      bigint64: new BigInt64Array([-5n]),
      dataView: new DataView(new Uint8Array([4, 5]).buffer),
      sparseArray: [1, , 3],
      nested: { a: [{ b: new Map([["c", new Set([new Date(0)])]]) }] },
      cyclic,
      sharedTwice: { x: shared, y: shared },
      error: new TypeError("stored error"),
      boxedString: new String("boxed"),
      classInstance: new (class Point {
        x = 1;
        y = 2;
      })(),
      emptyObject: {},
      largeArray: Array.from({ length: 1000 }, (_, i) => i),
    };
    const results: Record<string, Outcome> = {};
    for (const [name, value] of Object.entries(samples)) {
      results[name] = await outcome(async () => {
        await this.ctx.storage.put(`rt:${name}`, value);
        const back = await this.ctx.storage.get(`rt:${name}`);
        if (name === "sharedTwice") {
          const pair = back as { x: unknown; y: unknown };
          return { value: back, identityKept: pair.x === pair.y };
        }
        return back;
      });
    }
    return results;
  }

  /** Writes need no await: a read right after sees them (workerd's write coalescing). */
  async unawaitedWrites(): Promise<Record<string, Outcome>> {
    const storage = this.ctx.storage;
    void storage.put("later", "written without await");
    const seenByGet = await outcome(() => storage.get("later"));
    void storage.put({ many1: 1, many2: 2 });
    const seenByList = await outcome(async () => keysOf(await storage.list({ prefix: "many" })));
    void storage.delete("later");
    const afterDelete = await outcome(() => storage.get("later"));
    storage.sql.exec("CREATE TABLE IF NOT EXISTS mixed (v)");
    void storage.put("k", "v");
    storage.sql.exec("INSERT INTO mixed VALUES ('sql')");
    const order = await outcome(async () => [await storage.get("k"), storage.sql.exec("SELECT v FROM mixed").one().v]);
    return { seenByGet, seenByList, afterDelete, order };
  }

  /** put() stores a copy, and every get() hands out a new one. */
  async copies(): Promise<Encoded> {
    const value = { n: 1, list: [1] };
    await this.ctx.storage.put("copy", value);
    value.n = 2;
    value.list.push(2);
    const first = await this.ctx.storage.get<typeof value>("copy");
    if (first) first.n = 3;
    const second = await this.ctx.storage.get<typeof value>("copy");
    return encode({ stored: second, sameObject: first === second });
  }

  /** The synchronous KV API of SQLite-backed objects, and its view of the asynchronous one. */
  async syncKv(): Promise<Record<string, Outcome>> {
    const kv = this.ctx.storage.kv;
    return {
      putGet: await outcome(() => {
        kv.put("s1", new Map([["m", 1n]]));
        return kv.get("s1");
      }),
      missing: await outcome(() => kv.get("nope")),
      seenByAsync: await outcome(() => this.ctx.storage.get("s1")),
      asyncSeenBySync: await outcome(async () => {
        await this.ctx.storage.put("a1", "from async");
        return kv.get("a1");
      }),
      list: await outcome(() => {
        kv.put("s2", 2);
        kv.put("s3", 3);
        return [...kv.list({ prefix: "s", reverse: true, limit: 2 })];
      }),
      deleteExisting: await outcome(() => kv.delete("s2")),
      deleteMissing: await outcome(() => kv.delete("s2")),
      putUndefined: await outcome(() => kv.put("u", undefined)),
      uncloneable: await outcome(() => kv.put("f", Symbol("x"))),
      rolledBack: await outcome(() =>
        this.ctx.storage.transactionSync(() => {
          kv.put("tx", 1);
          throw new Error("undo sync kv");
        }),
      ),
      afterRollback: await outcome(() => kv.get("tx")),
    };
  }

  async uncloneable(): Promise<Record<string, Outcome>> {
    const put = (value: unknown) => outcome(() => this.ctx.storage.put("bad", value));
    return {
      // Native functions: their source text (part of the message) does not depend on the bundler.
      function: await put(Math.max),
      symbol: await put(Symbol("s")),
      objectWithFunction: await put({ f: Math.min }),
      weakMap: await put(new WeakMap()),
      promise: await put(Promise.resolve(1)),
      afterFailures: await outcome(() => this.ctx.storage.get("bad")),
    };
  }

  /**
   * workerd bounds keys and values only by SQLite's 2,200,000-byte string limit (the
   * documented 2 KiB key limit is not enforced by SQLite-backed objects).
   */
  async sizeLimits(): Promise<Record<string, Outcome>> {
    const storedLength = async (key: string) => (await this.ctx.storage.get<Uint8Array>(key))?.byteLength ?? null;
    return {
      key2049: await outcome(() => this.ctx.storage.put("k".repeat(2049), 1)),
      keyOverLimit: await outcome(() => this.ctx.storage.put("k".repeat(2_200_001), 1)),
      getKeyOverLimit: await outcome(() => this.ctx.storage.get("k".repeat(2_200_001))),
      value2m: await outcome(async () => {
        await this.ctx.storage.put("v2", new Uint8Array(2_000_000));
        return storedLength("v2");
      }),
      valueOverLimit: await outcome(() => this.ctx.storage.put("v3", new Uint8Array(2_200_001))),
      afterOverLimit: await outcome(() => storedLength("v3")),
    };
  }

  async deleteAll(): Promise<Encoded> {
    await this.ctx.storage.put({ a: 1, b: 2 });
    const result = await this.ctx.storage.deleteAll();
    return encode({ result, left: keysOf(await this.ctx.storage.list()) });
  }

  async transactions(): Promise<Record<string, Outcome>> {
    await this.ctx.storage.deleteAll();
    const committed = await outcome(() =>
      this.ctx.storage.transaction(async (txn) => {
        await txn.put("t1", 1);
        return txn.get("t1");
      }),
    );
    const thrown = await outcome(() =>
      this.ctx.storage.transaction(async (txn) => {
        await txn.put("t2", 2);
        throw new SyntaxError("abort txn");
      }),
    );
    const explicitRollback = await outcome(() =>
      this.ctx.storage.transaction(async (txn) => {
        await txn.put("t3", 3);
        txn.rollback();
        return "after rollback";
      }),
    );
    const sync = await outcome(() => this.ctx.storage.sync());
    return {
      committed,
      thrown,
      explicitRollback,
      sync,
      left: await outcome(async () => keysOf(await this.ctx.storage.list())),
    };
  }

  /** A write through a transaction after its rollback(). */
  async writeAfterRollback(): Promise<Record<string, Outcome>> {
    return {
      putAfterRollback: await outcome(() =>
        this.ctx.storage.transaction(async (txn) => {
          await txn.put("a", 1);
          txn.rollback();
          await txn.put("b", 2);
          return "done";
        }),
      ),
      keysAfterRollback: await outcome(async () => keysOf(await this.ctx.storage.list())),
    };
  }

  /** Two transactions started together by one call: each reads, then writes what it read + 1. */
  async parallelTransactions(): Promise<Record<string, Outcome>> {
    const bump = () =>
      this.ctx.storage.transaction(async (txn) => {
        const seen = (await txn.get<number>("n")) ?? 0;
        await txn.put("n", seen + 1);
        return seen;
      });
    return {
      seen: await outcome(() => Promise.all([bump(), bump()])),
      counter: await outcome(() => this.ctx.storage.get("n")),
    };
  }

  /** The same, but the second starts a turn later (after an await outside any transaction). */
  async transactionsATurnApart(): Promise<Record<string, Outcome>> {
    const bump = () =>
      this.ctx.storage.transaction(async (txn) => {
        const seen = (await txn.get<number>("n")) ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 20));
        await txn.put("n", seen + 1);
        return seen;
      });
    const first = bump();
    await Promise.resolve();
    const second = bump();
    return {
      seen: await outcome(() => Promise.all([first, second])),
      counter: await outcome(() => this.ctx.storage.get("n")),
    };
  }

  async rollbackTwice(): Promise<Record<string, Outcome>> {
    const twice = () =>
      this.ctx.storage.transaction(async (txn) => {
        txn.rollback();
        txn.rollback();
        return "ok";
      });
    return { first: await outcome(twice), again: await outcome(twice) };
  }

  async transactionSyncInsideTransaction(): Promise<Outcome> {
    return outcome(() =>
      this.ctx.storage.transaction(async () => {
        this.ctx.storage.transactionSync(() => this.ctx.storage.sql.exec("CREATE TABLE inner_t (v)"));
        return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM inner_t").one().n;
      }),
    );
  }

  /** Input gate: concurrent read-modify-write calls must not lose updates. */
  async increment(): Promise<number> {
    const n = ((await this.ctx.storage.get<number>("counter")) ?? 0) + 1;
    await this.ctx.storage.put("counter", n);
    return n;
  }

  /** A table created inside a rolled-back transactionSync does not survive. */
  async ddlRollback(): Promise<Record<string, Outcome>> {
    return {
      rolledBack: await outcome(() =>
        this.ctx.storage.transactionSync(() => {
          this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS kvsql (v)");
          this.ctx.storage.sql.exec("INSERT INTO kvsql VALUES (1)");
          throw new Error("undo both");
        }),
      ),
      table: await outcome(
        () => this.ctx.storage.sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'kvsql'").one().n,
      ),
    };
  }
}
