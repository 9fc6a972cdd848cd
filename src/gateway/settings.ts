import { DEFAULT_ISSUER, normaliseIssuer } from "../runtime/auth/issuer";
import { createTokenVerifier } from "../runtime/auth/verify";
import { GatewayConfigError } from "./errors";
import type { GatewayOptions } from "./handler";

/**
 * Token checks from the environment (process env, or a Worker's `env`):
 * `WORKOS_AUTH_DOMAIN` (issuer, default https://oauth.do), `DOTDO_GATEWAY_AUDIENCE` (required:
 * the `aud` tokens must carry), `R2_BUCKET` (when set, tokens must name this bucket).
 */
export function gatewayAuthFromEnv(env: Readonly<Record<string, unknown>>): Pick<GatewayOptions, "verifier" | "bucket"> {
  const text = (name: string) => (typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : undefined);
  const audience = text("DOTDO_GATEWAY_AUDIENCE");
  if (audience === undefined) {
    throw new GatewayConfigError("DOTDO_GATEWAY_AUDIENCE is not set: the gateway must know which token audience it serves");
  }
  const issuer = normaliseIssuer(text("WORKOS_AUTH_DOMAIN") ?? DEFAULT_ISSUER);
  return { verifier: createTokenVerifier({ issuer, audience }), bucket: text("R2_BUCKET") };
}
