import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { scopeStore, tenantRoot, type StorageScope } from "../../src/runtime/auth";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { ESCAPE_KEYS } from "./helpers/escapes";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array) => new TextDecoder().decode(body);
const ALL = ["read", "write", "list"] as const;
const tenantA: StorageScope = { prefix: "apps/prod", org: "acme", tenant: "a", permissions: ALL };
const tenantB: StorageScope = { ...tenantA, tenant: "b" };

async function allKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list("")).objects.map((info) => info.key);
}

describe("tenant folders", () => {
  // Probe finding 1: prefix "apps" + org "prod" + tenant "acme" reached the objects of
  // prefix "apps/prod" + org "acme" + tenant "do" under the plain {prefix}/{org}/{tenant}/ layout.
  it("keeps the probe's two claim sets apart: neither reads the other's objects", async () => {
    const inner = createMemoryStore();
    const victim = scopeStore(inner, { prefix: "apps/prod", org: "acme", tenant: "do", permissions: ALL });
    const attacker = scopeStore(inner, { prefix: "apps", org: "prod", tenant: "acme", permissions: ALL });
    await victim.put("do/secret/lock", bytes("the victim's"));
    expect(await attacker.get("do/do/secret/lock").catch(() => null)).toBeNull();
    expect((await attacker.list("")).objects).toEqual([]);
  });

  it("never nests or equals two different claim sets' folders (property over generated claims)", () => {
    // A small alphabet, so that generated segments collide often.
    const segment = fc.constantFrom("a", "b", "do", "acme", "prod", "apps", "x.y", "a-b");
    const claims = fc.record({ prefix: fc.array(segment, { maxLength: 3 }).map((parts) => parts.join("/")), org: segment, tenant: segment });
    fc.assert(
      fc.property(claims, claims, (one, two) => {
        const same = one.prefix === two.prefix && one.org === two.org && one.tenant === two.tenant;
        const [a, b] = [tenantRoot(one), tenantRoot(two)];
        if (same) return a === b;
        return !a.startsWith(b) && !b.startsWith(a);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("scopeStore", () => {
  it("maps tenant keys under {prefix}/org={org}/tenant={tenant}/ and returns them relative", async () => {
    const inner = createMemoryStore();
    const store = scopeStore(inner, tenantA);
    const put = await store.put("do/obj1/snapshots/latest", bytes("7"));
    expect(put.key).toBe("do/obj1/snapshots/latest");
    expect(await allKeys(inner)).toEqual(["apps/prod/org=acme/tenant=a/do/obj1/snapshots/latest"]);
    const got = await store.get("do/obj1/snapshots/latest", { range: { offset: 0, length: 1 } });
    expect(got && { key: got.key, body: text(got.body) }).toEqual({ key: "do/obj1/snapshots/latest", body: "7" });
    expect(await store.head("do/obj1/snapshots/latest")).toMatchObject({ key: "do/obj1/snapshots/latest", size: 1 });
    expect((await store.list("do/")).objects.map((o) => o.key)).toEqual(["do/obj1/snapshots/latest"]);
    await store.delete("do/obj1/snapshots/latest");
    expect(await allKeys(inner)).toEqual([]);
    expect(store.url).toBe("memory://default/apps/prod/org=acme/tenant=a/");
  });

  it("maps object keys under do/{id}/ when the scope names an object", async () => {
    const inner = createMemoryStore();
    const store = scopeStore(inner, { ...tenantA, id: "obj1" });
    await store.put("lock", bytes("{}"), { ifNoneMatch: "*" });
    expect(await allKeys(inner)).toEqual(["apps/prod/org=acme/tenant=a/do/obj1/lock"]);
    await expect(store.put("lock", bytes("{}"), { ifNoneMatch: "*" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("requires tenant-wide keys to name an object folder", async () => {
    const store = scopeStore(createMemoryStore(), tenantA);
    for (const key of ["lock", "do/obj1", "tables/x/metadata", "do/../x/y"]) {
      await expect(store.put(key, bytes("x")), key).rejects.toMatchObject({ code: "PATH_FORBIDDEN" });
    }
  });

  it("keeps tenants apart: B sees none of A's keys, and lists nothing of A even when they share a prefix", async () => {
    const inner = createMemoryStore();
    await scopeStore(inner, tenantA).put("do/obj1/lock", bytes("a"));
    await scopeStore(inner, { ...tenantA, tenant: "ab" }).put("do/obj1/lock", bytes("ab"));
    const b = scopeStore(inner, tenantB);
    expect(await b.get("do/obj1/lock")).toBeNull();
    expect((await b.list("")).objects).toEqual([]);
    const a = scopeStore(inner, tenantA);
    expect((await a.list("")).objects.map((o) => o.key)).toEqual(["do/obj1/lock"]);
  });

  it("drops keys outside the scope that a misbehaving backend returns from list", async () => {
    const inner = createMemoryStore();
    await inner.put("apps/prod/org=acme/tenant=b/do/x/lock", bytes("b"));
    const leaky: ObjectStore = { ...inner, list: () => inner.list("") };
    expect((await scopeStore(leaky, tenantA).list("")).objects).toEqual([]);
  });

  it("refuses every escape technique before touching the store", async () => {
    const inner = createMemoryStore();
    const calls: string[] = [];
    const watched: ObjectStore = {
      url: inner.url,
      get: (...args) => (calls.push("get"), inner.get(...args)),
      put: (...args) => (calls.push("put"), inner.put(...args)),
      delete: (...args) => (calls.push("delete"), inner.delete(...args)),
      list: (...args) => (calls.push("list"), inner.list(...args)),
      head: (...args) => (calls.push("head"), inner.head(...args)),
    };
    const store = scopeStore(watched, { ...tenantA, id: "obj1" });
    for (const key of Object.values(ESCAPE_KEYS).flat()) {
      for (const attempt of [
        () => store.put(key, bytes("x")),
        () => store.get(key),
        () => store.head(key),
        () => store.delete(key),
      ]) {
        await expect(attempt(), JSON.stringify(key)).rejects.toMatchObject({ code: "PATH_FORBIDDEN" });
      }
    }
    expect(calls).toEqual([]);
  });

  it("enforces the token's permissions per operation", async () => {
    const inner = createMemoryStore();
    await inner.put("apps/prod/org=acme/tenant=a/do/obj1/lock", bytes("x"));
    const readOnly = scopeStore(inner, { ...tenantA, permissions: ["read"] });
    await expect(readOnly.get("do/obj1/lock")).resolves.not.toBeNull();
    await expect(readOnly.put("do/obj1/lock", bytes("y"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(readOnly.delete("do/obj1/lock")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(readOnly.list("")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const writeOnly = scopeStore(inner, { ...tenantA, permissions: ["write"] });
    await expect(writeOnly.get("do/obj1/lock")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(writeOnly.head("do/obj1/lock")).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(text((await inner.get("apps/prod/org=acme/tenant=a/do/obj1/lock"))!.body)).toBe("x");
  });

  it("never touches a key outside the scope, whatever key it is given", async () => {
    const inner = createMemoryStore();
    const touched: string[] = [];
    const recording: ObjectStore = { ...inner, put: (key, ...rest) => (touched.push(key), inner.put(key, ...rest)) };
    const store = scopeStore(recording, tenantA);
    const root = "apps/prod/org=acme/tenant=a/";
    const segment = fc.oneof(fc.constantFrom("do", "obj1", "..", ".", "", "%2e%2e", "\\", "\uFF0E\uFF0E", "b"), fc.string({ maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/")), async (key) => {
        await store.put(key, bytes("x")).catch((error: { code?: string }) => {
          expect(error.code).toBe("PATH_FORBIDDEN");
        });
      }),
      // Keys inside the scope are rare among the random ones (259 in 100,000 sampled), so now and
      // then 2,000 runs meet none (a CI run did): these make sure some reach the store, so the
      // checks below are never vacuous.
      { numRuns: 2000, examples: [["do/obj1/lock"], ["do/obj1/./x"], ["do/obj1/b/../c"]] },
    );
    for (const key of touched) {
      expect(key.startsWith(`${root}do/`)).toBe(true);
      expect(posix.normalize(key)).toBe(key);
    }
    expect(touched.length).toBeGreaterThan(0);
  });

  it("validates the scope itself", () => {
    expect(tenantRoot({ prefix: "", org: "acme", tenant: "a" })).toBe("org=acme/tenant=a/");
    expect(() => scopeStore(createMemoryStore(), { ...tenantA, tenant: ".." })).toThrow(/tenant/);
    expect(() => scopeStore(createMemoryStore(), { ...tenantA, id: "a/b" })).toThrow(/object id/);
    expect(() => scopeStore(createMemoryStore(), { ...tenantA, prefix: "../x" })).toThrow(/prefix/);
  });
});
