import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeGateway, type StartedGateway } from "../../src/gateway";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { tempDirs } from "../storage/temp-dir";

/**
 * Probe finding 8: a stolen token could not be revoked, only waited out. The Node gateway,
 * started from its environment as `dotdo gateway` starts it, loads `DOTDO_REVOKED`.
 */
const newDir = tempDirs();
let idp: TestIssuer;
let gateway: StartedGateway;
let revokedFile: string;

beforeAll(async () => {
  idp = await startTestIssuer();
  const dir = await newDir();
  revokedFile = join(dir, "revoked.txt");
  await writeFile(revokedFile, "# stolen on Tuesday\nstolen-1\n\n");
  gateway = await startNodeGateway({
    env: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, DOTDO_STORAGE: `file:${join(dir, "bucket")}`, DOTDO_REVOKED: revokedFile },
    host: "127.0.0.1",
    port: 0,
  });
});
afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

const get = async (claims: Record<string, unknown>) => {
  const response = await fetch(`${gateway.url}/v1/object?key=do/obj1/lock`, { headers: { authorization: `Bearer ${await idp.sign(claims)}` } });
  const text = await response.text();
  return { status: response.status, code: text ? (JSON.parse(text) as { error?: { code: string } }).error?.code : undefined };
};

describe("the gateway's revocation list (DOTDO_REVOKED)", () => {
  it("refuses a listed token id with 401 TOKEN_REVOKED, and serves others", async () => {
    expect(await get({ ...tenantClaims("a"), jti: "stolen-1" })).toEqual({ status: 401, code: "TOKEN_REVOKED" });
    expect(await get({ ...tenantClaims("a"), jti: "fine-1" })).toEqual({ status: 404, code: "NOT_FOUND" });
  });

  it("refuses tokens without a jti, which could never be revoked", async () => {
    expect(await get(tenantClaims("a"))).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
    expect(await get({ ...tenantClaims("a"), jti: 7 })).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
  });

  it("takes a token id added to the file from the next request on, with no restart", async () => {
    expect((await get({ ...tenantClaims("a"), jti: "stolen-2" })).status).toBe(404);
    await appendFile(revokedFile, "stolen-2 # found in a log\n");
    expect(await get({ ...tenantClaims("a"), jti: "stolen-2" })).toEqual({ status: 401, code: "TOKEN_REVOKED" });
  });

  it("does not start when the file cannot be read", async () => {
    await expect(
      startNodeGateway({ env: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, DOTDO_STORAGE: "memory:", DOTDO_REVOKED: "/nonexistent/revoked.txt" } }),
    ).rejects.toMatchObject({ code: "GATEWAY_CONFIG_INVALID" });
  });
});
