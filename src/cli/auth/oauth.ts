import { LoginError } from "./errors";
import type { IssuerMetadata } from "./issuer";

/** RFC 8628 §3.2. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

/** RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** RFC 8628 §3.5: the default poll interval, and how much `slow_down` adds to it. */
const DEFAULT_INTERVAL_SEC = 5;
const SLOW_DOWN_STEP_SEC = 5;

type Form = Record<string, string | undefined>;

export async function requestDeviceAuthorization(
  issuer: IssuerMetadata,
  request: { clientId: string; scope: string; resource?: string },
): Promise<DeviceAuthorization> {
  const { status, body } = await postForm(issuer.device_authorization_endpoint, {
    client_id: request.clientId,
    scope: request.scope,
    resource: request.resource,
  });
  if (status !== 200) throw oauthFailure("device authorization", status, body);
  for (const field of ["device_code", "user_code", "verification_uri"] as const) {
    if (typeof body[field] !== "string") {
      throw new LoginError("LOGIN_FAILED", `device authorization response has no ${field}`);
    }
  }
  return body as unknown as DeviceAuthorization;
}

/**
 * Polls the token endpoint until the user approves or denies, or the code expires,
 * waiting `interval` seconds between requests and 5 s more after every `slow_down`.
 */
export async function pollDeviceToken(
  issuer: IssuerMetadata,
  authorization: DeviceAuthorization,
  clientId: string,
): Promise<TokenResponse> {
  let intervalSec = authorization.interval ?? DEFAULT_INTERVAL_SEC;
  const deadline = Date.now() + authorization.expires_in * 1000;
  for (;;) {
    await sleep(intervalSec * 1000);
    const { status, body } = await postForm(issuer.token_endpoint, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: authorization.device_code,
      client_id: clientId,
    });
    if (status === 200) return tokenResponse(body);
    switch (body.error) {
      case "authorization_pending":
        break;
      case "slow_down":
        intervalSec += SLOW_DOWN_STEP_SEC;
        break;
      case "expired_token":
        throw new LoginError("LOGIN_EXPIRED", "the login code expired before it was approved; run `dotdo login` again", "expired_token");
      case "access_denied":
        throw new LoginError("LOGIN_DENIED", "the login was denied in the browser", "access_denied");
      default:
        throw oauthFailure("device token", status, body);
    }
    if (Date.now() + intervalSec * 1000 > deadline) {
      throw new LoginError("LOGIN_EXPIRED", "the login code expired before it was approved; run `dotdo login` again");
    }
  }
}

export async function refreshTokens(
  issuer: IssuerMetadata,
  request: { clientId: string; refreshToken: string; resource?: string },
): Promise<TokenResponse> {
  const { status, body } = await postForm(issuer.token_endpoint, {
    grant_type: "refresh_token",
    refresh_token: request.refreshToken,
    client_id: request.clientId,
    resource: request.resource,
  });
  if (status !== 200) throw oauthFailure("token refresh", status, body);
  return tokenResponse(body);
}

/** RFC 7009. The issuer answers 200 also for tokens it no longer knows. */
export async function revokeToken(
  endpoint: string,
  request: { clientId: string; token: string; hint: "refresh_token" },
): Promise<void> {
  const { status, body } = await postForm(endpoint, {
    token: request.token,
    token_type_hint: request.hint,
    client_id: request.clientId,
  });
  if (status !== 200) throw oauthFailure("revocation", status, body);
}

async function postForm(endpoint: string, form: Form): Promise<{ status: number; body: Record<string, unknown> }> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) params.set(name, value);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: params,
    });
  } catch (error) {
    throw new LoginError("ISSUER_UNREACHABLE", `cannot reach ${endpoint}: ${(error as Error).message}`, undefined, { cause: error });
  }
  const text = await response.text();
  if (text === "") return { status: response.status, body: {} };
  try {
    const body = JSON.parse(text) as unknown;
    return { status: response.status, body: typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {} };
  } catch {
    throw new LoginError("LOGIN_FAILED", `${endpoint} answered HTTP ${response.status} with a body that is not JSON`);
  }
}

function tokenResponse(body: Record<string, unknown>): TokenResponse {
  if (typeof body.access_token !== "string" || body.access_token === "") {
    throw new LoginError("LOGIN_FAILED", "token response has no access_token");
  }
  return body as unknown as TokenResponse;
}

function oauthFailure(step: string, status: number, body: Record<string, unknown>): LoginError {
  const error = typeof body.error === "string" ? body.error : undefined;
  const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
  return new LoginError("LOGIN_FAILED", `${step} failed with HTTP ${status} ${error ?? "(no error code)"}${description}`, error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
