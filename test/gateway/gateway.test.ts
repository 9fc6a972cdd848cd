import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createTokenVerifier } from "../../src/runtime/auth";
import { createGatewayHandler, gatewayAuthFromEnv } from "../../src/gateway";
import { createMemoryStore } from "../../src/runtime/storage/memory";
import { serveGateway } from "../../src/gateway/node";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { describeStoreContract } from "../storage/contract";
import { tempDirs } from "../storage/temp-dir";
import { startTestGateway, type TestGateway } from "./helpers/test-gateway";

/**
 * The gateway on Node over the file backend, reached through the runtime's `gateway`
 * backend over real HTTP on 127.0.0.1. The app side holds only a JWT.
 */
const newDir = tempDirs();
let idp: TestIssuer;
let gateway: TestGateway;
let bucketRoot: string;
let objectCounter = 0;

beforeAll(async () => {
  idp = await startTestIssuer();
  bucketRoot = await newDir();
  gateway = await startTestGateway(idp, bucketRoot, { bucket: "dotdo-test" });
});
afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const tenantStore = async (tenant: string, overrides: Record<string, unknown> = {}) =>
  createGatewayStore({ url: gateway.url, token: await idp.sign(tenantClaims(tenant, overrides)) });

// Every backend's contract, through the gateway, one fresh object folder per test.
describeStoreContract("gateway", async () => withPrefix(await tenantStore("contract"), `do/obj-${++objectCounter}`));

describe("storage gateway", () => {
  it("writes under {prefix}/{org}/{tenant}/do/{id}/ in the bucket", async () => {
    const store = await tenantStore("a");
    await store.put("do/obj1/lock", bytes("held by a"));
    expect(await readFile(join(bucketRoot, "apps/prod/org=acme/tenant=a/do/obj1/lock"), "utf8")).toBe("held by a");
  });

  it("keeps tenants apart: B neither sees nor lists A's objects", async () => {
    const a = await tenantStore("a");
    const b = await tenantStore("b");
    await a.put("do/shared-name/snapshots/latest", bytes("7"));
    expect(await b.get("do/shared-name/snapshots/latest")).toBeNull();
    expect((await b.list("")).objects.map((o) => o.key)).not.toContain("do/shared-name/snapshots/latest");
    expect((await a.list("do/shared-name/")).objects.map((o) => o.key)).toEqual(["do/shared-name/snapshots/latest"]);
  });

  it("answers with the same typed errors as a local guard", async () => {
    const readOnly = await tenantStore("a", { storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read"] } });
    await expect(readOnly.put("do/obj1/x", bytes("x"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const otherBucket = await tenantStore("a", { storage: { bucket: "elsewhere", prefix: "apps/prod", permissions: ["read"] } });
    await expect(otherBucket.get("do/obj1/lock")).rejects.toMatchObject({ code: "STORAGE_REQUEST_FAILED", message: expect.stringContaining("BUCKET_FORBIDDEN") });
    const expired = createGatewayStore({ url: gateway.url, token: await idp.sign({ ...tenantClaims("a"), exp: Math.floor(Date.now() / 1000) - 600 }) });
    await expect(expired.get("do/obj1/lock")).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    const store = await tenantStore("a");
    await expect(store.put("lock", bytes("x"))).rejects.toMatchObject({ code: "PATH_FORBIDDEN" });
  });

  it("asks for a fresh token on every request when given a function", async () => {
    let calls = 0;
    const store = createGatewayStore({ url: gateway.url, token: () => (calls++, idp.sign(tenantClaims("a"))) });
    await store.put("do/obj2/a", bytes("1"));
    await store.get("do/obj2/a");
    expect(calls).toBe(2);
  });
});

describe("gateway handler edge cases", () => {
  const request = (url: string, init: RequestInit = {}) => new Request(`http://gateway.test${url}`, init);

  it("answers 503 KEYS_UNAVAILABLE, not 401, when the issuer's keys cannot be fetched", async () => {
    const handler = createGatewayHandler({
      store: createMemoryStore(),
      verifier: createTokenVerifier({ issuer: "http://127.0.0.1:9", audience: idp.audience }),
    });
    const response = await handler(request("/v1/object?key=do/x/lock", { headers: { authorization: `Bearer ${await idp.sign(tenantClaims("a"))}` } }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "KEYS_UNAVAILABLE" } });
  });

  it("refuses bodies over the limit with 413 and stores nothing", async () => {
    const store = createMemoryStore();
    const handler = createGatewayHandler({ store, verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }), maxBodyBytes: 8 });
    const response = await handler(
      request("/v1/object?key=do/x/big", { method: "PUT", body: "123456789", headers: { authorization: `Bearer ${await idp.sign(tenantClaims("a"))}`, "content-length": "9" } }),
    );
    expect(response.status).toBe(413);
    expect((await store.list("")).objects).toEqual([]);
  });

  it("answers 404 for unknown endpoints and 405 for unknown methods", async () => {
    const handler = createGatewayHandler({ store: createMemoryStore(), verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }) });
    expect((await handler(request("/v1/objects"))).status).toBe(404);
    expect((await handler(request("/v1/object?key=do/x/y", { method: "POST" }))).status).toBe(405);
  });

  it("reads its token rules from the environment, refusing to start without an audience", () => {
    expect(() => gatewayAuthFromEnv({ WORKOS_AUTH_DOMAIN: idp.issuer })).toThrow(expect.objectContaining({ code: "GATEWAY_CONFIG_INVALID" }));
    expect(() => gatewayAuthFromEnv({ WORKOS_AUTH_DOMAIN: "http://auth.example.com", DOTDO_GATEWAY_AUDIENCE: "x" })).toThrow(
      expect.objectContaining({ code: "ISSUER_INVALID" }),
    );
    expect(gatewayAuthFromEnv({ DOTDO_GATEWAY_AUDIENCE: "x", R2_BUCKET: "b" }).bucket).toBe("b");
    // The bucket DOTDO_STORAGE names is checked too (probe finding 2: it was ignored without R2_BUCKET).
    expect(gatewayAuthFromEnv({ DOTDO_GATEWAY_AUDIENCE: "x", DOTDO_STORAGE: "s3://named/apps" }).bucket).toBe("named");
    expect(() => gatewayAuthFromEnv({ DOTDO_GATEWAY_AUDIENCE: "x", DOTDO_STORAGE: "s3://named/apps", R2_BUCKET: "other" })).toThrow(
      expect.objectContaining({ code: "GATEWAY_CONFIG_INVALID" }),
    );
    expect(() => gatewayAuthFromEnv({ DOTDO_GATEWAY_AUDIENCE: "x", DOTDO_MAX_TOKEN_AGE: "1h" })).toThrow(/whole number of seconds/);
    expect(gatewayAuthFromEnv({ DOTDO_GATEWAY_AUDIENCE: "x", DOTDO_MAX_TOKEN_AGE: "3600" }).verifier).toBeDefined();
  });
});
