import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

/**
 * A minimal token issuer for tests: real key pairs, a real JWKS served over HTTP on
 * 127.0.0.1, and a discovery document. The full OpenID provider (oidc-provider) is used
 * where the protocol matters (login); here only signing and key publication are needed.
 */
export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** Number of JWKS downloads served so far. */
  jwksFetches(): number;
  /** A signed token with valid defaults; `claims` and `header` override them. */
  sign(claims?: JWTPayload, header?: { alg?: string; kid?: string }): Promise<string>;
  /** Replaces the published key set with a new key (new `kid`) that `sign` uses from now on. */
  rotate(): Promise<void>;
  publicJwk(): JWK;
  privateKey(): CryptoKey;
  close(): Promise<void>;
}

export const AUDIENCE = "urn:dotdo:storage";

export const tenantClaims = (tenant: string, overrides: Record<string, unknown> = {}) => ({
  sub: `user-${tenant}`,
  org_id: "acme",
  tenant_id: tenant,
  storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read", "write", "list"] },
  ...overrides,
});

export async function startTestIssuer(): Promise<TestIssuer> {
  let generation = 0;
  let current = await newKey(generation);
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (request.url === "/jwks") {
      fetches += 1;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: [current.publicJwk] }));
    } else if (request.url === "/.well-known/openid-configuration") {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    audience: AUDIENCE,
    jwksUri: `${issuer}/jwks`,
    jwksFetches: () => fetches,
    async sign(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: "ES256", kid: current.kid, ...header })
        .sign(current.privateKey);
    },
    async rotate() {
      generation += 1;
      current = await newKey(generation);
    },
    publicJwk: () => current.publicJwk,
    privateKey: () => current.privateKey,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function newKey(generation: number) {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `key-${generation}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return { kid, privateKey, publicJwk };
}
