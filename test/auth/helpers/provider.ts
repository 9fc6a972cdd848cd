import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export const CLIENT_ID = "dotdo-cli";
export const RESOURCE = "urn:dotdo:storage";

export interface TestProvider {
  issuer: string;
  provider: Provider;
  /** Test-only policies layered in front of the real provider (see `start`). */
  policy: { interval?: number; expiresIn?: number; slowDownPolls: number; /** Sent instead of the access token the provider issued (a hostile or broken issuer). */ forgedAccessToken?: string };
  /** Token endpoint outcomes seen, e.g. `grant.success:refresh_token`, `slow_down`. */
  tokenRequests: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 with the device authorization grant,
 * refresh tokens, revocation, and JWT access tokens for the `urn:dotdo:storage` resource that
 * carry dotdo's storage claims. The tenant is derived from the account id the user logs in
 * with on the provider's own login page.
 */
export async function startTestProvider(options: { accessTokenTtlSec?: number; deviceCodeTtlSec?: number } = {}): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-es256", alg: "ES256", use: "sig" };

  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: "none",
        grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        response_types: [],
        redirect_uris: [],
        application_type: "native",
        id_token_signed_response_alg: "ES256",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["dotdo-test-cookie-key"] },
    scopes: ["openid", "offline_access", "profile", "email"],
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    features: {
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== RESOURCE) throw new Error(`unknown resource ${resource}`);
          return {
            scope: "storage",
            audience: RESOURCE,
            accessTokenTTL: options.accessTokenTtlSec ?? 300,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "ES256" } },
          };
        },
      },
    },
    ttl: {
      DeviceCode: options.deviceCodeTtlSec ?? 600,
      AccessToken: options.accessTokenTtlSec ?? 300,
      RefreshToken: 86_400,
      IdToken: 3600,
      Session: 3600,
      Interaction: 600,
      Grant: 86_400,
    },
    extraTokenClaims: (_ctx, token) => {
      const accountId = (token as { accountId?: string }).accountId ?? "unknown";
      return {
        org_id: "acme",
        tenant_id: accountId,
        storage: { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read", "write", "list"] },
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const state: TestProvider = {
    issuer,
    provider,
    policy: { slowDownPolls: 0 },
    tokenRequests: {},
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };

  // Test-only layer, not a mock: the provider never sends `slow_down` nor an `interval`, so
  // these let a test exercise both RFC 8628 behaviours against otherwise real responses;
  // `expiresIn` makes the client outlive the code so that the provider's `expired_token` shows;
  // `forgedAccessToken` plays an issuer (or a man in the middle) answering with a token it did not sign.
  provider.use(async (ctx, next) => {
    if (ctx.path === "/token" && ctx.method === "POST" && state.policy.slowDownPolls > 0) {
      state.policy.slowDownPolls -= 1;
      count(state, "slow_down");
      ctx.status = 400;
      ctx.body = { error: "slow_down", error_description: "test policy" };
      return;
    }
    await next();
    if (ctx.path === "/token" && ctx.status === 200 && state.policy.forgedAccessToken) {
      ctx.body = { ...(ctx.body as object), access_token: state.policy.forgedAccessToken };
    }
    if (ctx.path === "/device/auth" && ctx.status === 200) {
      const { interval, expiresIn } = state.policy;
      ctx.body = { ...(ctx.body as object), ...(interval && { interval }), ...(expiresIn && { expires_in: expiresIn }) };
    }
  });
  for (const event of ["grant.success", "grant.error"] as const) {
    provider.on(event, (ctx: KoaContextWithOIDC) => count(state, `${event}:${String(ctx.oidc.params?.grant_type)}`));
  }
  server.on("request", provider.callback());
  return state;
}

function count(state: TestProvider, what: string): void {
  state.tokenRequests[what] = (state.tokenRequests[what] ?? 0) + 1;
}
