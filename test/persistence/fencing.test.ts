import { describe, expect, it } from "vitest";
import { FencedError } from "../../src/runtime/persistence/errors";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { openDatabase } from "./sqlite";

/** A clock the test moves by hand: leases expire without waiting. */
const clock = { now: 1_000_000 };

async function instance(store: ObjectStore, holder: string) {
  const { port } = await openDatabase();
  const persistence = new ObjectPersistence({ store, port, holder, leaseTtlMs: 10_000, now: () => clock.now });
  return { port, persistence };
}

async function fenced(promise: Promise<unknown>): Promise<FencedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FencedError);
  return error as FencedError;
}

describe("lease and fencing", () => {
  it("lets exactly one instance commit; the other gets LEASE_HELD until the lease expires", async () => {
    const store = createMemoryStore();
    const a = await instance(store, "a");
    const b = await instance(store, "b");
    expect((await a.persistence.acquireLease()).generation).toBe(1);
    const held = await fenced(b.persistence.acquireLease());
    expect(held.code).toBe("LEASE_HELD");
    expect(held.holder).toBe("a");

    a.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('from a');");
    expect((await a.persistence.checkpoint())?.generation).toBe(1);
    expect((await fenced(b.persistence.checkpoint())).code).toBe("LEASE_HELD");

    // a dies without releasing: b takes over once the lease has expired.
    clock.now += 10_001;
    expect((await b.persistence.acquireLease()).generation).toBe(2);
    await b.persistence.restore();
    b.port.exec("INSERT INTO t VALUES ('from b')");
    const commit = await b.persistence.checkpoint();
    expect(commit).toMatchObject({ sequence: 2, generation: 2 });

    // a comes back: its renewal fails, so it cannot commit over b.
    a.port.exec("INSERT INTO t VALUES ('late a')");
    expect((await fenced(a.persistence.checkpoint())).code).toBe("FENCED");
    const reader = await instance(store, "reader");
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t ORDER BY rowid")).toEqual([["from a"], ["from b"]]);

    // Even once b's lease lapses, a never takes the object again: its state is b's past.
    clock.now += 60_000;
    expect((await fenced(a.persistence.checkpoint())).code).toBe("FENCED");
    expect((await fenced(a.persistence.sync())).code).toBe("FENCED");
    expect(a.persistence.failure).toBeInstanceOf(FencedError);
  });

  it("takes a lease before it expires only from the replica named as gone", async () => {
    const store = createMemoryStore();
    const { port } = await openDatabase();
    const at = (address: string, holder: string) => new ObjectPersistence({ store, port, holder, address, leaseTtlMs: 10_000, now: () => clock.now });
    await at("http://a:3000", "a").acquireLease();
    const b = at("http://b:3000", "b");
    expect((await fenced(b.acquireLease("http://c:3000"))).code).toBe("LEASE_HELD");
    expect((await b.acquireLease("http://a:3000")).generation).toBe(2);
  });

  it("renews with If-Match right before each commit: a lapsed lease nobody took is resumed, a taken one fences", async () => {
    const store = createMemoryStore();
    const a = await instance(store, "a");
    await a.persistence.acquireLease();
    a.port.exec("CREATE TABLE t (v)");
    await a.persistence.checkpoint();
    // Long past expiry by a's own clock, but the lock never moved: the renewal proves it.
    clock.now += 60_000;
    a.port.exec("INSERT INTO t VALUES (1)");
    expect((await a.persistence.checkpoint())?.sequence).toBe(2);

    // Still valid by a's clock, yet another instance moved the lock (raw write standing in
    // for a takeover a's clock did not see coming): the renewal fails and nothing commits.
    await store.put("lock", new TextEncoder().encode(JSON.stringify({ holder: "b", generation: 2, expiresAt: clock.now + 10_000 })));
    a.port.exec("INSERT INTO t VALUES (2)");
    expect((await fenced(a.persistence.checkpoint())).code).toBe("FENCED");
    expect((await a.persistence.listSnapshots()).map((s) => s.sequence)).toEqual([1, 2]);
  });

  it("a writer that lost the race for a sequence number gets FENCED and overwrites nothing", async () => {
    const store = createMemoryStore();
    const a = await instance(store, "a");
    a.port.exec("CREATE TABLE t (v); INSERT INTO t VALUES ('a1');");
    await a.persistence.checkpoint();
    await a.persistence.releaseLease();

    const b = await instance(store, "b");
    await b.persistence.restore();
    expect((await b.persistence.acquireLease()).generation).toBe(2);
    b.port.exec("INSERT INTO t VALUES ('b2')");
    await b.persistence.checkpoint();
    await b.persistence.releaseLease();

    // a still believes commit 1 is the newest: it takes the lease again but commit 2 exists.
    await a.persistence.acquireLease();
    a.port.exec("INSERT INTO t VALUES ('a2')");
    expect((await fenced(a.persistence.checkpoint())).code).toBe("FENCED");
    const reader = await instance(store, "reader");
    await reader.persistence.restore();
    expect(reader.port.query("SELECT v FROM t ORDER BY rowid")).toEqual([["a1"], ["b2"]]);
  });
});
