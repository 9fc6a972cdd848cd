import { DEFAULT_ISSUER, normaliseIssuer } from "../runtime/auth/issuer";
import { createTokenVerifier } from "../runtime/auth/verify";
import { GatewayConfigError } from "./errors";
import type { GatewayOptions } from "./handler";
import type { TokenVerifierOptions } from "../runtime/auth/verify";

/**
 * Token checks from the environment (process env, or a Worker's `env`):
 * `WORKOS_AUTH_DOMAIN` (issuer, default https://oauth.do), `DOTDO_GATEWAY_AUDIENCE` (required:
 * the `aud` tokens must carry), and the bucket tokens must name: `R2_BUCKET`, or the one
 * `DOTDO_STORAGE=s3://bucket/…` names (the two must agree). A file store has no bucket name:
 * there tokens are checked against `R2_BUCKET` only when it is set. `DOTDO_MAX_TOKEN_AGE`
 * (seconds) refuses tokens issued longer ago than that (by `iat`), whatever their `exp`.
 * `checks.revoked` refuses revoked token ids (the Node gateway loads it from `DOTDO_REVOKED`).
 */
export function gatewayAuthFromEnv(
  env: Readonly<Record<string, unknown>>,
  checks: Pick<TokenVerifierOptions, "revoked"> = {},
): Pick<GatewayOptions, "verifier" | "bucket"> {
  const text = (name: string) => (typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : undefined);
  const audience = text("DOTDO_GATEWAY_AUDIENCE");
  if (audience === undefined) {
    throw new GatewayConfigError("DOTDO_GATEWAY_AUDIENCE is not set: the gateway must know which token audience it serves");
  }
  const issuer = normaliseIssuer(text("WORKOS_AUTH_DOMAIN") ?? DEFAULT_ISSUER);
  const named = /^s3:\/\/([^/]+)/.exec(text("DOTDO_STORAGE") ?? "")?.[1];
  const bucket = text("R2_BUCKET");
  if (bucket !== undefined && named !== undefined && bucket !== named) {
    throw new GatewayConfigError(`R2_BUCKET=${bucket} and DOTDO_STORAGE (bucket ${named}) name different buckets`);
  }
  const maxAge = text("DOTDO_MAX_TOKEN_AGE");
  if (maxAge !== undefined && !/^[1-9]\d*$/.test(maxAge)) {
    throw new GatewayConfigError(`DOTDO_MAX_TOKEN_AGE=${maxAge} is not a whole number of seconds`);
  }
  const maxTokenAge = maxAge === undefined ? {} : { maxTokenAgeSec: Number(maxAge) };
  return { verifier: createTokenVerifier({ issuer, audience, ...maxTokenAge, ...checks }), bucket: bucket ?? named };
}
