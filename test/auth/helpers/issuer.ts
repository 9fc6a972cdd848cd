import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

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
  /**
   * A signed token with valid defaults; `claims` and `header` override them. `alg: "RS256"`
   * signs with the issuer's RSA key, anything else with its EC key.
   */
  sign(claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Replaces the published key set with a new key (new `kid`) that `sign` uses from now on. */
  rotate(): Promise<void>;
  /** The current EC (`ES256`) or RSA (`RS256`) public key as published. */
  publicJwk(alg?: "ES256" | "RS256"): JWK;
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
      response.end(JSON.stringify({ keys: [current.ES256.publicJwk, current.RS256.publicJwk] }));
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
      const key = header.alg === "RS256" ? current.RS256 : current.ES256;
      return new SignJWT({ iss: issuer, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
        .sign(key.privateKey);
    },
    async rotate() {
      generation += 1;
      current = await newKey(generation);
    },
    publicJwk: (alg = "ES256") => current[alg].publicJwk,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function newKey(generation: number) {
  return { ES256: await keyPair("ES256", generation), RS256: await keyPair("RS256", generation) };
}

async function keyPair(alg: "ES256" | "RS256", generation: number) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${generation}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { alg, kid, privateKey, publicJwk };
}
