import type { JWTPayload } from "jose";
import { ClaimsInvalidError, ClaimsMissingError, createTokenVerifier, readStorageClaims, type StorageClaims } from "../../runtime/auth";
import { LoginError, NotLoggedInError } from "./errors";
import { discoverIssuer, LOGIN_SCOPE, resolveAuthSettings, type AuthSettings, type IssuerMetadata } from "./issuer";
import { pollDeviceToken, refreshTokens, requestDeviceAuthorization, revokeToken, type TokenResponse } from "./oauth";
import { withFileLock } from "../../runtime/storage/file-lock";
import { deleteSession, loadSession, saveSession, sessionPath, type Session } from "./session-store";

type Env = Record<string, string | undefined>;

/** Refresh this long before `exp`, so a token handed out is still valid when it arrives. */
const EXPIRY_MARGIN_MS = 60_000;

/** What the user must do in a browser to finish `dotdo login`. */
export interface LoginPrompt {
  issuer: string;
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresInSec: number;
}

/** A verified access token, as `dotdo whoami` reports it. */
export interface Identity {
  issuer: string;
  subject?: string;
  expiresAt?: Date;
  /** Present when the token carries valid storage claims. */
  storage?: StorageClaims;
  /** Why `storage` is absent. */
  storageProblem?: string;
  payload: JWTPayload;
}

/** Runs the device authorization grant and stores the session once its token verifies. */
export async function login(options: { env?: Env; onPrompt: (prompt: LoginPrompt) => void }): Promise<Identity> {
  const env = options.env ?? process.env;
  const settings = await resolveAuthSettings(env);
  const issuer = await discoverIssuer(settings.issuer);
  const authorization = await requestDeviceAuthorization(issuer, {
    clientId: settings.clientId,
    scope: LOGIN_SCOPE,
    resource: settings.resource,
  });
  options.onPrompt({
    issuer: settings.issuer,
    verificationUri: authorization.verification_uri,
    verificationUriComplete: authorization.verification_uri_complete,
    userCode: authorization.user_code,
    expiresInSec: authorization.expires_in,
  });
  const tokens = await pollDeviceToken(issuer, authorization, settings.clientId);
  const identity = await verifyAccessToken(issuer, settings, tokens.access_token);
  await saveSession(sessionFrom(settings, tokens), env);
  return identity;
}

/** A valid access token for the configured issuer, refreshed (and stored) when it expires. */
export async function currentAccessToken(env: Env = process.env): Promise<string> {
  const settings = await resolveAuthSettings(env);
  const session = await usableSession(settings, env);
  if (!expiring(session)) return session.accessToken;
  // Issuers rotate refresh tokens and may revoke the whole grant when one is used twice, so
  // two processes must not refresh at once: the second one finds the first one's result.
  return withFileLock(`${sessionPath(env)}.lock`, { staleMs: 30_000 }, async () => {
    const current = await usableSession(settings, env);
    return expiring(current) ? (await refreshSession(settings, current, env)).accessToken : current.accessToken;
  });
}

async function usableSession(settings: AuthSettings, env: Env): Promise<Session> {
  const session = await loadSession(env);
  if (!session) throw new NotLoggedInError("Not logged in");
  if (session.issuer !== settings.issuer || session.clientId !== settings.clientId) {
    throw new NotLoggedInError(`Logged in to ${session.issuer} as client ${session.clientId}, but ${settings.issuer} with client ${settings.clientId} is configured`);
  }
  return session;
}

const expiring = (session: Session) => session.expiresAt !== undefined && session.expiresAt - EXPIRY_MARGIN_MS <= Date.now();

async function refreshSession(settings: AuthSettings, session: Session, env: Env): Promise<Session> {
  if (!session.refreshToken) throw new NotLoggedInError("The session expired and has no refresh token");
  const issuer = await discoverIssuer(settings.issuer);
  let tokens: TokenResponse;
  try {
    tokens = await refreshTokens(issuer, { clientId: settings.clientId, refreshToken: session.refreshToken, resource: session.resource });
  } catch (error) {
    if (error instanceof LoginError && error.oauthError === "invalid_grant") {
      throw new NotLoggedInError("The issuer refused the refresh token (revoked or expired)");
    }
    throw error;
  }
  // Stored only once it verifies, as at login: a token the issuer did not sign is never kept.
  await verifyAccessToken(issuer, settings, tokens.access_token);
  // Issuers that do not rotate refresh tokens omit it from the response: keep the old one.
  const next = sessionFrom(settings, { refresh_token: session.refreshToken, ...tokens });
  await saveSession(next, env);
  return next;
}

/** The current token, verified against the issuer's published keys. */
export async function whoami(env: Env = process.env): Promise<Identity> {
  const token = await currentAccessToken(env);
  const settings = await resolveAuthSettings(env);
  return verifyAccessToken(await discoverIssuer(settings.issuer), settings, token);
}

export interface LogoutResult {
  hadSession: boolean;
  /** Whether the issuer confirmed the revocation of the refresh token. */
  revoked: boolean;
  /** Why revocation was skipped or failed; the local session is deleted regardless. */
  revokeProblem?: string;
}

/**
 * Deletes the stored session, revoking its refresh token first where the issuer supports it.
 * The access token is left to expire: JWT access tokens are self-contained, and issuers
 * answer `unsupported_token_type` to their revocation.
 */
export async function logout(env: Env = process.env): Promise<LogoutResult> {
  const session = await loadSession(env);
  if (!session) return { hadSession: false, revoked: false };
  let revoked = false;
  let revokeProblem: string | undefined;
  try {
    const issuer = await discoverIssuer(session.issuer);
    if (!session.refreshToken) {
      revokeProblem = "no refresh token to revoke; the access token stays valid until it expires";
    } else if (!issuer.revocation_endpoint) {
      revokeProblem = `${session.issuer} offers no revocation endpoint; the refresh token stays valid until it expires`;
    } else {
      await revokeToken(issuer.revocation_endpoint, { clientId: session.clientId, token: session.refreshToken, hint: "refresh_token" });
      revoked = true;
    }
  } catch (error) {
    revokeProblem = `revocation failed: ${(error as Error).message}`;
  }
  await deleteSession(env);
  return { hadSession: true, revoked, revokeProblem };
}

async function verifyAccessToken(issuer: IssuerMetadata, settings: AuthSettings, token: string): Promise<Identity> {
  const verifier = createTokenVerifier({ issuer: issuer.issuer, audience: settings.audience, keys: { jwksUri: issuer.jwks_uri } });
  const { payload } = await verifier.verify(token);
  const identity: Identity = {
    issuer: issuer.issuer,
    subject: payload.sub,
    expiresAt: payload.exp === undefined ? undefined : new Date(payload.exp * 1000),
    payload,
  };
  try {
    identity.storage = readStorageClaims(payload);
  } catch (error) {
    if (!(error instanceof ClaimsMissingError || error instanceof ClaimsInvalidError)) throw error;
    identity.storageProblem = error.message;
  }
  return identity;
}

function sessionFrom(settings: AuthSettings, tokens: TokenResponse): Session {
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    resource: settings.resource,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: tokens.expires_in === undefined ? undefined : Date.now() + tokens.expires_in * 1000,
  };
}
