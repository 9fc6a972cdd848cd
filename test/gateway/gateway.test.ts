import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../src/runtime/auth";
import { createFileStore } from "../../src/runtime/storage/file";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createGatewayHandler } from "../../src/gateway";
import { serveGateway, type NodeGateway } from "../../src/gateway/node";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { describeStoreContract } from "../storage/contract";
import { tempDirs } from "../storage/temp-dir";

/**
 * The gateway on Node over the file backend, reached through the runtime's `gateway`
 * backend over real HTTP on 127.0.0.1. The app side holds only a JWT.
 */
const newDir = tempDirs();
let idp: TestIssuer;
let gateway: NodeGateway;
let bucketRoot: string;
let objectCounter = 0;

beforeAll(async () => {
  idp = await startTestIssuer();
  bucketRoot = await newDir();
  const handler = createGatewayHandler({
    store: await createFileStore(bucketRoot),
    verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    bucket: "dotdo-test",
  });
  gateway = await serveGateway(handler);
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
    expect(await readFile(join(bucketRoot, "apps/prod/acme/a/do/obj1/lock"), "utf8")).toBe("held by a");
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
