import { describe, expect, it } from "vitest";
import { newStorage, thrown } from "./helpers/storage";

describe("storage KV API", () => {
  it("gets, puts and deletes one key or many", async () => {
    const { storage } = await newStorage();
    expect(await storage.get("missing")).toBeUndefined();
    await storage.put("a", { when: new Date(5), tags: new Set(["x"]) });
    expect(await storage.get("a")).toEqual({ when: new Date(5), tags: new Set(["x"]) });
    await storage.put({ b: 2, c: 3n });
    expect([...(await storage.get(["c", "nope", "a", "b"])).keys()]).toEqual(["a", "b", "c"]);
    expect(await storage.delete("b")).toBe(true);
    expect(await storage.delete("b")).toBe(false);
    expect(await storage.delete(["a", "c", "zz"])).toBe(2);
    // workerd (SQLite-backed) coerces keys to strings and sets no 128-key batch limit.
    await storage.put(5 as unknown as string, "five");
    expect(await storage.get("5")).toBe("five");
    expect((await storage.get(Array.from({ length: 200 }, (_, i) => `k${i}`))).size).toBe(0);
  });

  it("lists in byte order with every option", async () => {
    const { storage } = await newStorage();
    await storage.put({ a: 1, b: 2, c: 3, ab: 4, "b\u0000": 5, "\u{1F600}": 6, "\uFFFD": 7, aa: 8 });
    expect([...(await storage.list()).keys()]).toEqual(["a", "aa", "ab", "b", "b\u0000", "c", "\uFFFD", "\u{1F600}"]);
    expect([...(await storage.list({ start: "ab", end: "c", reverse: true, limit: 2 })).entries()]).toEqual([
      ["b\u0000", 5],
      ["b", 2],
    ]);
    expect([...(await storage.list({ prefix: "a", startAfter: "a" })).keys()]).toEqual(["aa", "ab"]);
    expect([...(await storage.list({ prefix: "\uFFFD" })).keys()]).toEqual(["\uFFFD"]);
    expect(await thrown(() => storage.list({ start: "a", startAfter: "a" }))).toMatchObject({
      name: "TypeError",
      message: "list() cannot be called with both start and startAfter values.",
    });
    expect((await thrown(() => storage.list({ limit: 0 }))).message).toBe("List limit must be positive.");
  });

  it("refuses undefined, uncloneable and oversized values with workerd's errors", async () => {
    const { storage } = await newStorage();
    expect(await thrown(() => storage.put("u", undefined))).toMatchObject({ name: "TypeError", message: "put() called with undefined value." });
    await storage.put({ x: undefined });
    expect((await storage.list()).has("x")).toBe(true);
    expect(await thrown(() => storage.put("f", Symbol("x")))).toMatchObject({ name: "DataCloneError", message: "Symbol(x) could not be cloned." });
    expect((await thrown(() => storage.put("big", new Uint8Array(3 * 1024 * 1024)))).message).toBe("string or blob too big: SQLITE_TOOBIG");
    // A failed batch writes nothing.
    expect(await thrown(() => storage.put({ ok: 1, bad: () => 1 }))).toMatchObject({ name: "DataCloneError" });
    expect(await storage.get("ok")).toBeUndefined();
  });

  it("deleteAll removes SQL tables and KV data but keeps the alarm", async () => {
    const { storage } = await newStorage();
    storage.sql.exec("CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(pid REFERENCES p(id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1)");
    storage.sql.exec("CREATE TABLE auto(id INTEGER PRIMARY KEY AUTOINCREMENT, v); INSERT INTO auto (v) VALUES (1), (2)");
    await storage.put("k", 1);
    await storage.setAlarm(Date.now() + 60_000);
    await storage.deleteAll();
    expect(storage.sql.exec("SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'").toArray()).toEqual([]);
    expect(await storage.get("k")).toBeUndefined();
    expect(await storage.getAlarm()).not.toBeNull();
    storage.sql.exec("CREATE TABLE auto(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
    expect(storage.sql.exec("INSERT INTO auto (v) VALUES (1) RETURNING id").one()).toEqual({ id: 1 });
  });
});

describe("transactions", () => {
  it("transactionSync rolls back on throw and nests", async () => {
    const { storage } = await newStorage();
    const { sql } = storage;
    sql.exec("CREATE TABLE t(a)");
    expect(() =>
      storage.transactionSync(() => {
        sql.exec("INSERT INTO t VALUES (1)");
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
    const kept = storage.transactionSync(() => {
      sql.exec("INSERT INTO t VALUES (2)");
      try {
        storage.transactionSync(() => {
          sql.exec("INSERT INTO t VALUES (3)");
          throw new Error("inner");
        });
      } catch {
        // the inner rollback leaves the outer transaction going
      }
      return sql.exec("SELECT a FROM t").toArray();
    });
    expect(kept).toEqual([{ a: 2 }]);
  });

  it("transaction() rolls back on throw or rollback(), covering KV and SQL", async () => {
    const { storage } = await newStorage();
    storage.sql.exec("CREATE TABLE t(a)");
    const result = await storage.transaction(async (txn) => {
      await txn.put("tx", 1);
      storage.sql.exec("INSERT INTO t VALUES (1)");
      txn.rollback();
      return "r";
    });
    expect(result).toBe("r");
    await expect(
      storage.transaction(async (txn) => {
        await txn.put("tx2", 1);
        throw new TypeError("tt");
      }),
    ).rejects.toThrow(TypeError);
    expect(await storage.get(["tx", "tx2"])).toEqual(new Map());
    expect(storage.sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
    expect(await storage.transaction(async () => storage.transaction(async (inner) => (await inner.put("n", 1), "nested")))).toBe("nested");
    expect(await storage.get("n")).toBe(1);
  });

  it("keeps the savepoints whole when a transaction started later ends after an earlier one", async () => {
    // Started a turn apart, the second cannot be told from a nested one and nests (a known
    // difference from workerd, which would run it after the first); neither may break the other.
    const { storage } = await newStorage();
    let letSecondEnd!: () => void;
    const secondMayEnd = new Promise<void>((resolve) => (letSecondEnd = resolve));
    const first = storage.transaction(async (txn) => (await txn.put("first", 1), "first"));
    await Promise.resolve();
    const second = storage.transaction(async (txn) => {
      await txn.put("second", 2);
      await secondMayEnd;
      txn.rollback();
      return "second";
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    letSecondEnd();
    expect(await Promise.all([first, second])).toEqual(["first", "second"]);
    expect(Object.fromEntries(await storage.list())).toEqual({ first: 1 });
    expect(await storage.transaction(async (txn) => (await txn.put("after", 3), txn.get("after")))).toBe(3);
  });
});

describe("transactions across the implicit commit", () => {
  it("keeps an async transaction whole when a commit comes due while it awaits", async () => {
    const { storage } = await newStorage();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await storage.transaction(async (txn) => {
      await txn.put("a", 1);
      await pause(); // the implicit commit's timer fires here
      await txn.put("b", 2);
    });
    await expect(
      storage.transaction(async (txn) => {
        await txn.put("c", 3);
        await pause();
        throw new Error("undo c");
      }),
    ).rejects.toThrow("undo c");
    expect(Object.fromEntries(await storage.list())).toEqual({ a: 1, b: 2 });
  });
});

describe("alarms in storage", () => {
  it("stores the alarm in the database and validates like workerd", async () => {
    const { storage, alarms, db } = await newStorage();
    expect(await storage.getAlarm()).toBeNull();
    await storage.setAlarm(new Date(5e12 + 0.7));
    expect(await storage.getAlarm()).toBe(5e12);
    expect(alarms).toEqual([5e12]);
    const copy = await newStorage();
    expect(db.export().byteLength).toBeGreaterThan(0);
    expect(await copy.storage.getAlarm()).toBeNull();
    expect((await thrown(() => storage.setAlarm("x" as unknown as number))).message).toBe(
      "Failed to execute 'setAlarm' on 'DurableObjectStorage': parameter 1 is not of type 'date'.",
    );
    expect((await thrown(() => storage.setAlarm(Number.NaN))).message).toBe("The value cannot be converted because it is not a valid Date.");
    await storage.deleteAlarm();
    expect(await storage.getAlarm()).toBeNull();
    const { storage: noHandler } = await newStorage(false);
    expect(await thrown(() => noHandler.setAlarm(1))).toMatchObject({
      name: "TypeError",
      message: "Your Durable Object class must have an alarm() handler in order to call setAlarm()",
    });
  });
});

describe("storage.kv (synchronous)", () => {
  it("shares data with the async API and stores undefined", async () => {
    const { storage } = await newStorage();
    storage.kv.put("s1", new Map([["m", 1n]]));
    expect(await storage.get("s1")).toEqual(new Map([["m", 1n]]));
    await storage.put("a1", "from async");
    expect(storage.kv.get("a1")).toBe("from async");
    storage.kv.put("u", undefined);
    expect(storage.kv.list({ prefix: "u" }).next().value).toEqual(["u", undefined]);
    expect([...storage.kv.list({ prefix: "", reverse: true, limit: 2 })].map(([key]) => key)).toEqual(["u", "s1"]);
    expect(storage.kv.delete("s1")).toBe(true);
    expect(storage.kv.get("s1")).toBeUndefined();
  });
});
