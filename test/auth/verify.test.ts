import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../src/runtime/auth";
import { startTestIssuer, tenantClaims, type TestIssuer } from "./helpers/issuer";

let idp: TestIssuer;
beforeAll(async () => {
  idp = await startTestIssuer();
});
afterAll(() => idp.close());

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "ACCEPTED",
    (error: { code?: string }) => error.code ?? String(error),
  );

describe("createTokenVerifier", () => {
  it("discovers the JWKS from the issuer and returns the storage claims", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience });
    const { payload, storage } = await verifier.verifyStorage(await idp.sign(tenantClaims("t1")));
    expect(payload.sub).toBe("user-t1");
    expect(storage).toEqual({
      org: "acme",
      tenant: "t1",
      bucket: "dotdo-test",
      prefix: "apps/prod",
      permissions: ["read", "write", "list"],
    });
  });

  it("caches the key set and refetches it when a token names an unknown kid", async () => {
    const verifier = createTokenVerifier({
      issuer: idp.issuer,
      audience: idp.audience,
      keys: { jwksUri: idp.jwksUri, cooldownMs: 0 },
    });
    const before = idp.jwksFetches();
    await verifier.verify(await idp.sign());
    await verifier.verify(await idp.sign());
    expect(idp.jwksFetches() - before).toBe(1);
    await idp.rotate();
    const rotated = await idp.sign();
    await verifier.verify(rotated);
    expect(idp.jwksFetches() - before).toBe(2);
    await verifier.verify(rotated);
    expect(idp.jwksFetches() - before).toBe(2);
  });

  it("accepts a configured public JWK instead of a JWKS", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() } });
    await expect(verifier.verify(await idp.sign())).resolves.toMatchObject({ header: { alg: "ES256" } });
  });

  it("allows 30 s of clock skew on exp and nbf, and no more", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() } });
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(verifier.verify(await idp.sign({ exp: now - 10 })))).toBe("ACCEPTED");
    expect(await codeOf(verifier.verify(await idp.sign({ nbf: now + 10 })))).toBe("ACCEPTED");
    expect(await codeOf(verifier.verify(await idp.sign({ exp: now - 120 })))).toBe("TOKEN_EXPIRED");
    expect(await codeOf(verifier.verify(await idp.sign({ nbf: now + 120 })))).toBe("TOKEN_NOT_YET_VALID");
  });

  it("refuses a token older than a configured maximum age by its iat, whatever its exp (probe finding 8)", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() }, maxTokenAgeSec: 3600 });
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(verifier.verify(await idp.sign({ iat: now - 60, exp: now + 86_400 })))).toBe("ACCEPTED");
    const old = verifier.verify(await idp.sign({ iat: now - 7200, exp: now + 86_400 }));
    await expect(old).rejects.toMatchObject({ code: "TOKEN_EXPIRED", message: expect.stringContaining("maximum token age") });
    expect(await codeOf(verifier.verify(await idp.sign({ iat: undefined, exp: now + 60 })))).toBe("TOKEN_INVALID");
    expect(() => createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, maxTokenAgeSec: 0 })).toThrow(expect.objectContaining({ code: "AUTH_CONFIG_INVALID" }));
  });

  it("requires exp, the right issuer and the right audience", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() } });
    expect(await codeOf(verifier.verify(await idp.sign({ exp: undefined })))).toBe("TOKEN_INVALID");
    expect(await codeOf(verifier.verify(await idp.sign({ iss: "https://evil.example" })))).toBe("TOKEN_INVALID");
    expect(await codeOf(verifier.verify(await idp.sign({ aud: "urn:other" })))).toBe("TOKEN_INVALID");
  });

  it("accepts only the canonical spelling of a genuine token: no padding, no stray bits", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() } });
    const token = await idp.sign(tenantClaims("t1"));
    expect((await verifier.verify(token)).payload.sub).toBeDefined();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    // The last character of a segment whose length is not a multiple of 4 carries unused bits:
    // set one, and the bytes decode the same.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const stray = (segment: string) => segment.slice(0, -1) + alphabet[alphabet.indexOf(segment.at(-1)!) | 1];
    const variants = [
      `${token}==`,
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      ...[header, payload, signature].flatMap((segment, i) =>
        segment.length % 4 === 0 || stray(segment) === segment ? [] : [[header, payload, signature].map((s, j) => (j === i ? stray(s) : s)).join(".")],
      ),
      `${token}.extra`,
    ];
    expect(variants.length).toBeGreaterThan(3);
    for (const variant of variants) expect(await codeOf(verifier.verify(variant)), variant).toBe("TOKEN_INVALID");
  });

  it("reports unreachable keys as KEYS_UNAVAILABLE, not as a bad token", async () => {
    const verifier = createTokenVerifier({ issuer: "http://127.0.0.1:9", audience: idp.audience });
    expect(await codeOf(verifier.verify(await idp.sign()))).toBe("KEYS_UNAVAILABLE");
  });

  it("refuses configurations that would weaken it", () => {
    const config = { issuer: idp.issuer, audience: idp.audience };
    for (const options of [
      { ...config, algorithms: ["HS256"] },
      { ...config, algorithms: ["none"] },
      { ...config, algorithms: [] },
      { ...config, audience: [] },
      { ...config, audience: "" },
      { ...config, issuer: "" },
    ]) {
      expect(() => createTokenVerifier(options), JSON.stringify(options)).toThrow(expect.objectContaining({ code: "AUTH_CONFIG_INVALID" }));
    }
  });
});

describe("storage claims", () => {
  const verifier = () => createTokenVerifier({ issuer: idp.issuer, audience: idp.audience, keys: { key: idp.publicJwk() } });

  it.each([
    ["org_id", { org_id: undefined }],
    ["tenant_id", { tenant_id: undefined }],
    ["storage", { storage: undefined }],
    ["storage.prefix", { storage: { bucket: "b", permissions: ["read"] } }],
    ["storage.permissions", { storage: { bucket: "b", prefix: "" } }],
  ])("names the missing claim %s", async (name, overrides) => {
    const error = await verifier().verifyStorage(await idp.sign(tenantClaims("t1", overrides))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CLAIMS_MISSING", message: expect.stringContaining(`'${name}'`) });
  });

  it.each([
    ["a tenant that is a path", { tenant_id: "../t2" }],
    ["an org with a slash", { org_id: "acme/t2" }],
    ["a prefix that climbs", { storage: { bucket: "b", prefix: "apps/../..", permissions: ["read"] } }],
    ["an absolute prefix", { storage: { bucket: "b", prefix: "/etc", permissions: ["read"] } }],
    ["an unknown permission", { storage: { bucket: "b", prefix: "", permissions: ["admin"] } }],
    ["storage as a string", { storage: "apps/prod" }],
  ])("rejects %s as CLAIMS_INVALID", async (_name, overrides) => {
    const error = await verifier().verifyStorage(await idp.sign(tenantClaims("t1", overrides))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CLAIMS_INVALID" });
  });
});
