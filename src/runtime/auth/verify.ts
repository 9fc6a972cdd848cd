import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyResult,
} from "jose";
import { DotdoError } from "../errors";
import {
  KeysUnavailableError,
  TokenExpiredError,
  TokenInvalidError,
  TokenNotYetValidError,
  TokenRevokedError,
  VerifierConfigError,
} from "./errors";
import { readStorageClaims, type StorageClaims } from "./claims";

/** Asymmetric algorithms only: a shared-secret algorithm would let a key holder mint tokens. */
export const DEFAULT_ALGORITHMS: readonly string[] = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
];

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;

export interface TokenVerifierOptions {
  /** Expected `iss`, e.g. `https://oauth.do`. */
  issuer: string;
  /** Expected `aud` (one of them must match). */
  audience: string | readonly string[];
  /**
   * Where the keys come from. Default: the `jwks_uri` of the issuer's
   * `/.well-known/openid-configuration`, fetched once.
   */
  keys?: KeySource;
  algorithms?: readonly string[];
  clockToleranceSec?: number;
  /**
   * The oldest a token may be, by its `iat`, whatever its `exp` says: the issuer's lifetime is
   * then not the only bound on a stolen token. Tokens must carry `iat` when this is set.
   */
  maxTokenAgeSec?: number;
  /**
   * Whether a token id (`jti`) has been revoked (`TOKEN_REVOKED`). Tokens must carry `jti` when
   * this is set, or they could not be revoked.
   */
  revoked?: (jti: string) => boolean | Promise<boolean>;
}

export type KeySource =
  | { jwksUri: string | URL; cooldownMs?: number }
  | { jwks: JSONWebKeySet }
  | { key: CryptoKey | JWK };

export interface VerifiedToken {
  header: JWTHeaderParameters;
  payload: JWTPayload;
}

export interface TokenVerifier {
  /** Checks signature, algorithm, iss, aud, exp, nbf. Throws a typed auth error. */
  verify(token: string): Promise<VerifiedToken>;
  /** `verify`, then the storage claims (`CLAIMS_MISSING` / `CLAIMS_INVALID`). */
  verifyStorage(token: string): Promise<VerifiedToken & { storage: StorageClaims }>;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const refused = algorithms.filter((alg) => !DEFAULT_ALGORITHMS.includes(alg));
  if (algorithms.length === 0 || refused.length > 0) {
    throw new VerifierConfigError(`algorithms must be a non-empty choice of ${DEFAULT_ALGORITHMS.join(", ")}; refused: ${refused.join(", ") || "(none given)"}`);
  }
  const audience = [options.audience].flat();
  const { maxTokenAgeSec } = options;
  if (maxTokenAgeSec !== undefined && !(Number.isInteger(maxTokenAgeSec) && maxTokenAgeSec > 0)) {
    throw new VerifierConfigError(`maxTokenAgeSec must be a positive whole number of seconds, got ${maxTokenAgeSec}`);
  }
  // An empty audience list would make jose skip the check altogether.
  if (!options.issuer || audience.length === 0 || audience.some((aud) => !aud)) {
    throw new VerifierConfigError("a token verifier needs a non-empty issuer and audience");
  }
  let keyResolver: Promise<JWTVerifyGetKey> | undefined;
  const resolveKeys = () => {
    keyResolver ??= keyFrom(options).catch((error: unknown) => {
      keyResolver = undefined; // a failed discovery is retried on the next request
      throw error;
    });
    return keyResolver;
  };

  async function verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== "string" || token === "") throw new TokenInvalidError("no token given");
    assertCanonical(token);
    const key = await resolveKeys();
    let result: JWTVerifyResult;
    try {
      const verifyOptions = {
        issuer: options.issuer,
        audience,
        algorithms,
        clockTolerance: options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
        requiredClaims: ["exp", ...(options.maxTokenAgeSec === undefined ? [] : ["iat"]), ...(options.revoked ? ["jti"] : [])],
        ...(options.maxTokenAgeSec !== undefined && { maxTokenAge: options.maxTokenAgeSec }),
      };
      result = await jwtVerify(token, key, verifyOptions);
    } catch (error) {
      throw translate(error);
    }
    if (options.revoked) {
      const { jti } = result.payload;
      if (typeof jti !== "string") throw new TokenInvalidError("token claim 'jti' must be a string where tokens can be revoked");
      if (await options.revoked(jti)) throw new TokenRevokedError(`token ${JSON.stringify(jti)} has been revoked`);
    }
    return { header: result.protectedHeader, payload: result.payload };
  }

  return {
    verify,
    async verifyStorage(token) {
      const verified = await verify(token);
      return { ...verified, storage: readStorageClaims(verified.payload) };
    },
  };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Accepts only the one spelling of a token: three segments of unpadded base64url whose last
 * character carries no stray bits. A decoder that forgives padding or those bits would let
 * many strings stand for one signed token (a token could be altered and still verify).
 */
function assertCanonical(token: string): void {
  const segments = token.split(".");
  const canonical = (segment: string): boolean => {
    if (!/^[A-Za-z0-9_-]+$/.test(segment)) return false;
    const rest = segment.length % 4;
    if (rest === 1) return false;
    const last = BASE64URL.indexOf(segment.at(-1)!);
    return rest === 0 || (last & (rest === 2 ? 0x0f : 0x03)) === 0;
  };
  if (segments.length !== 3 || !segments.every(canonical)) {
    throw new TokenInvalidError("the token is not a JWS in canonical compact form (three segments of unpadded base64url)");
  }
}

async function keyFrom(options: TokenVerifierOptions): Promise<JWTVerifyGetKey> {
  const source = options.keys ?? { jwksUri: await discoverJwksUri(options.issuer) };
  if ("jwks" in source) return createLocalJWKSet(source.jwks);
  if ("jwksUri" in source) {
    // jose caches the set and refetches it when a token names an unknown `kid`.
    const remote = createRemoteJWKSet(new URL(source.jwksUri), { cooldownDuration: source.cooldownMs ?? 30_000 });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JOSEError) throw error;
        throw new KeysUnavailableError(`the issuer's keys could not be fetched from ${String(source.jwksUri)}: ${String(error)}`, { cause: error });
      }
    };
  }
  const key = isJwk(source.key) ? await importConfiguredJwk(source.key) : source.key;
  return async () => key;
}

async function importConfiguredJwk(jwk: JWK): Promise<CryptoKey | Uint8Array> {
  if (typeof jwk.alg !== "string") throw new VerifierConfigError("a configured JWK must name its 'alg'");
  try {
    return await importJWK(jwk, jwk.alg);
  } catch (error) {
    throw new VerifierConfigError(`the configured JWK cannot be imported: ${(error as Error).message}`, { cause: error });
  }
}

function isJwk(key: CryptoKey | JWK): key is JWK {
  return typeof (key as JWK).kty === "string";
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch (error) {
    throw new KeysUnavailableError(`cannot read the issuer's discovery document ${url}: ${String(error)}`, { cause: error });
  }
  if (document.issuer !== issuer) {
    throw new KeysUnavailableError(`discovery document ${url} names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(issuer)}`);
  }
  if (typeof document.jwks_uri !== "string") {
    throw new KeysUnavailableError(`discovery document ${url} has no jwks_uri`);
  }
  return document.jwks_uri;
}

function translate(error: unknown): Error {
  if (error instanceof errors.JWTExpired) {
    const reason = error.claim === "iat" ? `older than the maximum token age (iat ${String(error.payload.iat)})` : `exp ${String(error.payload.exp)}`;
    return new TokenExpiredError(`token expired (${reason})`, { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf" && error.reason === "check_failed") {
      return new TokenNotYetValidError(`token is not valid yet: ${error.message}`, { cause: error });
    }
    return new TokenInvalidError(`token claim '${error.claim}' rejected: ${error.message}`, { cause: error });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new KeysUnavailableError(`the issuer's keys could not be fetched: ${error.message}`, { cause: error });
  }
  if (error instanceof DotdoError) return error;
  // Anything else jose throws (bad encoding, refused alg, wrong key type) is the token's fault.
  return new TokenInvalidError(`token rejected: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
