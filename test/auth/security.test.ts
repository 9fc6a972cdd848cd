import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier, scopeStore, type TokenVerifier } from "../../src/runtime/auth";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { buildAttacks, VICTIM_KEY, type Attack, type Operation } from "./helpers/attacks";
import { startTestIssuer, tenantClaims, type TestIssuer } from "./helpers/issuer";
import { fingerprint, Tally } from "./helpers/tally";

/**
 * The runtime's guard (token verifier + scoped store) under attack. Every attack must be
 * refused with the expected typed error, and the underlying store must be byte-for-byte
 * unchanged afterwards. The tally printed at the end is what docs/security.md reports.
 */
let idp: TestIssuer;
let attacks: Attack[];
const tally = new Tally("runtime");
const VICTIM_BODY = new TextEncoder().encode("tenant b's lease");

beforeAll(async () => {
  idp = await startTestIssuer();
  attacks = await buildAttacks(idp);
});
afterAll(async () => {
  tally.print();
  await idp.close();
});

async function seededStore(): Promise<ObjectStore> {
  const store = createMemoryStore();
  await store.put(`apps/prod/org=acme/tenant=b/${VICTIM_KEY}`, VICTIM_BODY);
  await store.put("apps/prod/org=acme/tenant=a/do/obj1/lock", new TextEncoder().encode("tenant a's lease"));
  return store;
}

/** What a guarded request does: verify the bearer token, scope the store by its claims, act. */
async function guardedOperation(verifier: TokenVerifier, store: ObjectStore, token: string, operation: Operation): Promise<unknown> {
  const { storage } = await verifier.verifyStorage(token);
  const scoped = scopeStore(store, storage);
  switch (operation.kind) {
    case "get": return scoped.get(operation.key);
    case "head": return scoped.head(operation.key);
    case "delete": return scoped.delete(operation.key);
    case "put": return scoped.put(operation.key, new TextEncoder().encode("attacker was here"));
    case "list": return scoped.list(operation.prefix);
  }
}

async function throwAll(verifier: TokenVerifier, selected: Attack[], label = ""): Promise<void> {
  const store = await seededStore();
  const bodiesBefore = await fingerprint(store, { bodies: true });
  const before = await fingerprint(store);
  for (const attack of selected) {
    const outcome = await guardedOperation(verifier, store, attack.token, attack.operation).then(
      () => "ACCEPTED",
      (error: { code?: string }) => error.code ?? String(error),
    );
    const unchanged = (await fingerprint(store)) === before;
    tally.record(attack.category + label, attack.codes.includes(outcome) && unchanged);
    expect({ attack: `${attack.category}: ${attack.name}`, outcome, unchanged }).toEqual({
      attack: `${attack.category}: ${attack.name}`,
      outcome: attack.codes.includes(outcome) ? outcome : `one of ${attack.codes.join(", ")}`,
      unchanged: true,
    });
  }
  expect(await fingerprint(store, { bodies: true })).toBe(bodiesBefore);
}

describe("runtime guard under attack", () => {
  it("refuses every attack in the catalogue (keys from the issuer's JWKS)", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience });
    await throwAll(verifier, attacks);
  });

  it("refuses key confusion also when the verifier holds one fixed public key", async () => {
    const confusion = attacks.filter((attack) => attack.category === "key-confusion");
    expect(confusion.length).toBeGreaterThan(0);
    for (const alg of ["RS256", "ES256"] as const) {
      const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk(alg) } });
      await throwAll(verifier, confusion, ` (fixed ${alg} key)`);
    }
  });

  it("still serves the legitimate owner, and only its own data (control)", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience });
    const store = await seededStore();
    const tokenB = await idp.sign(tenantClaims("b"));
    const tokenA = await idp.sign(tenantClaims("a"));
    const own = (await guardedOperation(verifier, store, tokenB, { kind: "get", key: VICTIM_KEY })) as { body: Uint8Array };
    expect(new TextDecoder().decode(own.body)).toBe("tenant b's lease");
    const seenByA = (await guardedOperation(verifier, store, tokenA, { kind: "get", key: VICTIM_KEY })) as { body: Uint8Array };
    expect(new TextDecoder().decode(seenByA.body)).toBe("tenant a's lease");
    const listedByA = (await guardedOperation(verifier, store, tokenA, { kind: "list", prefix: "" })) as { objects: { key: string }[] };
    expect(listedByA.objects.map((o) => o.key)).toEqual([VICTIM_KEY]);
    // A token narrowed to obj1 (storage.objects) still reaches obj1, and lists inside it.
    const objectToken = await idp.sign(tenantClaims("a", { storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read", "list"], objects: ["obj1"] } }));
    const seenNarrow = (await guardedOperation(verifier, store, objectToken, { kind: "get", key: VICTIM_KEY })) as { body: Uint8Array };
    expect(new TextDecoder().decode(seenNarrow.body)).toBe("tenant a's lease");
    const listedNarrow = (await guardedOperation(verifier, store, objectToken, { kind: "list", prefix: "do/obj1/" })) as { objects: { key: string }[] };
    expect(listedNarrow.objects.map((o) => o.key)).toEqual([VICTIM_KEY]);
    await guardedOperation(verifier, store, tokenA, { kind: "delete", key: VICTIM_KEY });
    expect(new TextDecoder().decode((await store.get(`apps/prod/org=acme/tenant=b/${VICTIM_KEY}`))!.body)).toBe("tenant b's lease");
  });
});
