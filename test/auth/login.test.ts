import { createRemoteJWKSet, decodeJwt, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import configCommand from "../../src/cli/commands/config";
import loginCommand from "../../src/cli/commands/login";
import logoutCommand from "../../src/cli/commands/logout";
import tokenCommand from "../../src/cli/commands/token";
import whoamiCommand from "../../src/cli/commands/whoami";
import { currentAccessToken } from "../../src/cli/auth/session";
import { normaliseIssuer } from "../../src/runtime/auth";
import { completeDeviceLogin, type UserStep } from "./helpers/browser";
import { runCli, tempConfigHome } from "./helpers/cli";
import { CLIENT_ID, RESOURCE, startTestProvider, type TestProvider } from "./helpers/provider";

/**
 * `dotdo login`, `token`, `whoami` and `logout` end to end against a real OpenID provider
 * (oidc-provider) on 127.0.0.1. The person's part is played by driving the provider's own
 * device verification, login and consent pages over HTTP.
 */
let idp: TestProvider;
const home = await tempConfigHome();
const sessionFile = join(home.dir, "dotdo", "auth.json");

beforeAll(async () => {
  idp = await startTestProvider();
});
afterAll(async () => {
  await idp.close();
  await home.cleanup();
});
beforeEach(async () => {
  vi.stubEnv("XDG_CONFIG_HOME", home.dir);
  vi.stubEnv("WORKOS_AUTH_DOMAIN", idp.issuer);
  vi.stubEnv("WORKOS_CLIENT_ID", CLIENT_ID);
  idp.policy.interval = 1;
  await runCli(configCommand, ["set", "auth.audience", RESOURCE]);
});

/** Runs `dotdo login` and, once it shows the code, completes the user's step in the "browser". */
async function loginAs(step: Omit<UserStep, "userCode">) {
  let browser: Promise<string> | undefined;
  const run = await runCli(loginCommand, [], (line) => {
    const shown = /Open (\S+)\nand confirm the code (\S+)/.exec(line);
    if (shown && !browser) {
      browser = completeDeviceLogin(shown[1]!, { ...step, userCode: shown[2]! });
      browser.catch(() => undefined); // awaited below; handled here so it is not reported twice
    }
  });
  return { run, page: await browser };
}

const readSession = async () => JSON.parse(await readFile(sessionFile, "utf8")) as Record<string, unknown>;

describe("dotdo login", () => {
  it("logs in with the device flow and stores the tokens owner-only", async () => {
    const { run, page } = await loginAs({ login: "tenant-a" });
    expect(run.error).toBeUndefined();
    expect(page).toContain("Sign-in Success");
    expect(run.lines.join("\n")).toContain("tenant-a at " + idp.issuer + ": org acme, tenant tenant-a, bucket dotdo-test/apps/prod [read, write, list]");
    expect((await stat(sessionFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home.dir, "dotdo"))).mode & 0o777).toBe(0o700);
    const session = await readSession();
    expect(session).toMatchObject({ issuer: idp.issuer, clientId: CLIENT_ID, resource: RESOURCE });
    expect(session.refreshToken).toEqual(expect.any(String));
  });

  it("dotdo token prints a JWT that verifies against the provider's own JWKS", async () => {
    const run = await runCli(tokenCommand, []);
    expect(run.output).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
    const { payload } = await jwtVerify(run.output[0]!, jwks, { issuer: idp.issuer, audience: RESOURCE });
    expect(payload).toMatchObject({ sub: "tenant-a", org_id: "acme", tenant_id: "tenant-a" });
  });

  it("dotdo whoami shows the verified claims", async () => {
    const run = await runCli(whoamiCommand, ["--json"]);
    expect(run.error).toBeUndefined();
    const shown = JSON.parse(run.output[0]!);
    expect(shown.issuer).toBe(idp.issuer);
    expect(shown.claims).toMatchObject({ iss: idp.issuer, aud: RESOURCE, sub: "tenant-a" });
    expect(shown.storage).toEqual({ org: "acme", tenant: "tenant-a", bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read", "write", "list"] });
  });

  it("refreshes an expired token with the refresh token and stores the new one", async () => {
    const before = await readSession();
    // Mark the stored token as expired: the CLI decides to refresh from the expiry it stored.
    await writeFile(sessionFile, JSON.stringify({ ...before, expiresAt: Date.now() - 1000 }));
    const refreshes = idp.tokenRequests["grant.success:refresh_token"] ?? 0;
    const run = await runCli(tokenCommand, []);
    expect(run.error).toBeUndefined();
    expect(idp.tokenRequests["grant.success:refresh_token"]).toBe(refreshes + 1);
    const after = await readSession();
    expect(run.output[0]).toBe(after.accessToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt as number).toBeGreaterThan(Date.now());
    expect((await stat(sessionFile)).mode & 0o777).toBe(0o600);
    expect((await runCli(whoamiCommand, ["--json"])).error).toBeUndefined();
  });

  it("refuses a refreshed token signed by a foreign key: nothing stored, nothing printed (probe finding 3)", async () => {
    const before = await readSession();
    await writeFile(sessionFile, JSON.stringify({ ...before, expiresAt: Date.now() - 1000 }));
    const { privateKey } = await generateKeyPair("ES256");
    const claims = decodeJwt(before.accessToken as string);
    const forged = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }).setProtectedHeader({ alg: "ES256", kid: "foreign" }).sign(privateKey);
    idp.policy.forgedAccessToken = forged;
    try {
      const run = await runCli(tokenCommand, []);
      expect(run.error).toBeDefined();
      expect(run.output.join("\n")).not.toContain(forged);
      const after = await readSession();
      expect(after.accessToken).toBe(before.accessToken);
    } finally {
      delete idp.policy.forgedAccessToken;
    }
    // The issuer rotated the refresh token it was sent, and the answer was refused: log in again.
    expect((await loginAs({ login: "tenant-a" })).run.error).toBeUndefined();
  });

  it("refreshes once when several callers find the token expired at the same time", async () => {
    await writeFile(sessionFile, JSON.stringify({ ...(await readSession()), expiresAt: Date.now() - 1000 }));
    const refreshes = idp.tokenRequests["grant.success:refresh_token"] ?? 0;
    const tokens = await Promise.all([currentAccessToken(), currentAccessToken(), currentAccessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(idp.tokenRequests["grant.success:refresh_token"]).toBe(refreshes + 1);
    expect(idp.tokenRequests["grant.error:refresh_token"]).toBeUndefined();
    expect(tokens[0]).toBe((await readSession()).accessToken);
  });

  it("refuses a stored session that belongs to another issuer", async () => {
    vi.stubEnv("WORKOS_AUTH_DOMAIN", "https://auth.example.com");
    const run = await runCli(tokenCommand, []);
    expect(run.error).toMatchObject({ code: "NOT_LOGGED_IN", message: expect.stringContaining("https://auth.example.com") });
  });

  it("dotdo logout revokes the refresh token at the provider and deletes the session", async () => {
    const { refreshToken } = await readSession();
    const run = await runCli(logoutCommand, []);
    expect(run.lines.join("\n")).toContain("refresh token revoked");
    await expect(stat(sessionFile)).rejects.toMatchObject({ code: "ENOENT" });
    const reuse = await fetch(`${idp.issuer}/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: String(refreshToken), client_id: CLIENT_ID }),
    });
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    expect((await runCli(tokenCommand, [])).error).toMatchObject({ code: "NOT_LOGGED_IN" });
    expect((await runCli(logoutCommand, [])).lines.join("\n")).toContain("Not logged in");
  });

  it("stops with LOGIN_DENIED when the user aborts in the browser, storing nothing", async () => {
    const { run, page } = await loginAs({ login: "tenant-a", decision: "deny" });
    expect(page).toContain("The Sign-in request was interrupted");
    expect(run.error).toMatchObject({ code: "LOGIN_DENIED" });
    await expect(stat(sessionFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("backs off on slow_down and still logs in", async () => {
    idp.policy.slowDownPolls = 1;
    const slowDowns = idp.tokenRequests.slow_down ?? 0;
    const { run } = await loginAs({ login: "tenant-b" });
    expect(run.error).toBeUndefined();
    expect(idp.tokenRequests.slow_down).toBe(slowDowns + 1);
    expect(await readSession()).toMatchObject({ issuer: idp.issuer });
    expect(JSON.parse((await runCli(whoamiCommand, ["--json"])).output[0]!).storage.tenant).toBe("tenant-b");
  });

  it("stops with LOGIN_EXPIRED when nobody approves before the code expires", async () => {
    const shortLived = await startTestProvider({ deviceCodeTtlSec: 2 });
    shortLived.policy.interval = 1;
    vi.stubEnv("WORKOS_AUTH_DOMAIN", shortLived.issuer);
    try {
      const run = await runCli(loginCommand, []);
      expect(run.error).toMatchObject({ code: "LOGIN_EXPIRED" });
    } finally {
      await shortLived.close();
    }
  });
  it("stops with LOGIN_EXPIRED when the provider answers expired_token", async () => {
    const shortLived = await startTestProvider({ deviceCodeTtlSec: 1 });
    Object.assign(shortLived.policy, { interval: 1, expiresIn: 600 });
    vi.stubEnv("WORKOS_AUTH_DOMAIN", shortLived.issuer);
    try {
      const run = await runCli(loginCommand, []);
      expect(run.error).toMatchObject({ code: "LOGIN_EXPIRED", oauthError: "expired_token" });
    } finally {
      await shortLived.close();
    }
  });
});

describe("issuer settings", () => {
  it("adds https to a bare domain and refuses plain http off loopback", () => {
    expect(normaliseIssuer("auth.example.com")).toBe("https://auth.example.com");
    expect(normaliseIssuer("http://127.0.0.1:4000/")).toBe("http://127.0.0.1:4000");
    expect(() => normaliseIssuer("http://auth.example.com")).toThrow(/https/);
  });
});
