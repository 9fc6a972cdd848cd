import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeGateway } from "../../src/gateway";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { tempDirs } from "../storage/temp-dir";
import { startWorkerGateway } from "./helpers/worker-gateway";

/**
 * Probe finding 8: a stolen token could not be revoked, only waited out. The Node gateway,
 * started from its environment as `dotdo gateway` starts it, loads the file `DOTDO_REVOKED`;
 * the Worker gateway, in workerd, reads the KV namespace bound as `DOTDO_REVOKED`. Both must
 * give the same answers.
 */
const newDir = tempDirs();
let idp: TestIssuer;

beforeAll(async () => {
  idp = await startTestIssuer();
});
afterAll(() => idp?.close());

/** A running gateway with a revocation list that already holds `stolen-1`. */
interface RevokingGateway {
  get(url: string, init: RequestInit): Promise<Response>;
  /** Adds a token id to the list, as an operator would. */
  revoke(jti: string): Promise<void>;
  close(): Promise<void>;
}

const gateways: Record<string, () => Promise<RevokingGateway>> = {
  "Node gateway (a file)": async () => {
    const dir = await newDir();
    const revokedFile = join(dir, "revoked.txt");
    await writeFile(revokedFile, "# stolen on Tuesday\nstolen-1\n\n");
    const gateway = await startNodeGateway({
      env: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, DOTDO_STORAGE: `file:${join(dir, "bucket")}`, DOTDO_REVOKED: revokedFile },
      host: "127.0.0.1",
      port: 0,
    });
    return {
      get: (path, init) => fetch(`${gateway.url}${path}`, init),
      revoke: (jti) => appendFile(revokedFile, `${jti} # found in a log\n`),
      close: () => gateway.close(),
    };
  },
  "Worker gateway in workerd (a KV namespace)": async () => {
    const gateway = await startWorkerGateway(idp, { kvNamespaces: ["DOTDO_REVOKED"] });
    const list = await gateway.mf.getKVNamespace("DOTDO_REVOKED");
    await list.put("stolen-1", "stolen on Tuesday");
    return {
      get: (path, init) => gateway.fetch(`${gateway.baseUrl}${path}`, init),
      revoke: (jti) => list.put(jti, "found in a log"),
      close: () => gateway.close(),
    };
  },
};

describe.each(Object.keys(gateways))("the revocation list (DOTDO_REVOKED) of the %s", (name) => {
  let gateway: RevokingGateway;
  beforeAll(async () => {
    gateway = await gateways[name]!();
  });
  afterAll(() => gateway?.close());

  const get = async (claims: Record<string, unknown>) => {
    const response = await gateway.get("/v1/object?key=do/obj1/lock", { method: "GET", headers: { authorization: `Bearer ${await idp.sign(claims)}` } });
    const text = await response.text();
    return { status: response.status, code: text ? (JSON.parse(text) as { error?: { code: string } }).error?.code : undefined };
  };

  it("refuses a listed token id with 401 TOKEN_REVOKED, and serves others", async () => {
    expect(await get({ ...tenantClaims("a"), jti: "stolen-1" })).toEqual({ status: 401, code: "TOKEN_REVOKED" });
    expect(await get({ ...tenantClaims("a"), jti: "fine-1" })).toEqual({ status: 404, code: "NOT_FOUND" });
  });

  it("refuses tokens without a jti, which could never be revoked", async () => {
    expect(await get(tenantClaims("a"))).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
    expect(await get({ ...tenantClaims("a"), jti: 7 })).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
  });

  it("takes a token id added to the list from its next request on, with no restart", async () => {
    await gateway.revoke("stolen-2");
    expect(await get({ ...tenantClaims("a"), jti: "stolen-2" })).toEqual({ status: 401, code: "TOKEN_REVOKED" });
    expect(await get({ ...tenantClaims("a"), jti: "fine-2" })).toEqual({ status: 404, code: "NOT_FOUND" });
  });
});

describe("a revocation list that cannot be used", () => {
  it("the Node gateway does not start when the file cannot be read", async () => {
    await expect(
      startNodeGateway({ env: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, DOTDO_STORAGE: "memory:", DOTDO_REVOKED: "/nonexistent/revoked.txt" } }),
    ).rejects.toMatchObject({ code: "GATEWAY_CONFIG_INVALID" });
  });

  it("the Worker gateway answers 500 GATEWAY_CONFIG_INVALID when DOTDO_REVOKED is text (a file path) instead of a KV binding", async () => {
    const gateway = await startWorkerGateway(idp, { bindings: { DOTDO_REVOKED: "/etc/dotdo/revoked.txt" } });
    try {
      const response = await gateway.fetch(`${gateway.baseUrl}/v1/list`, { method: "GET", headers: { authorization: `Bearer ${await idp.sign(tenantClaims("a"))}` } });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ error: { code: "GATEWAY_CONFIG_INVALID", message: expect.stringContaining("KV namespace") } });
    } finally {
      await gateway.close();
    }
  });
});
