import { DEFAULT_ISSUER, normaliseIssuer } from "../../runtime/auth/issuer";
import { LoginError } from "./errors";
import { resolveAllSettings } from "./settings";

type Env = Record<string, string | undefined>;

const DEFAULT_CLIENT_ID = "dotdo-cli";
/** `offline_access` asks for a refresh token, so `dotdo token` keeps working after expiry. */
export const LOGIN_SCOPE = "openid profile email offline_access";

export interface AuthSettings {
  issuer: string;
  clientId: string;
  /** Expected `aud` of access tokens; sent as the RFC 8707 `resource` when configured. */
  audience: string;
  /** The configured audience, sent as `resource`; undefined when `audience` defaulted to the client id. */
  resource: string | undefined;
}

/** The subset of the issuer's discovery document the CLI uses. */
export interface IssuerMetadata {
  issuer: string;
  token_endpoint: string;
  device_authorization_endpoint: string;
  jwks_uri: string;
  revocation_endpoint?: string;
}

export async function resolveAuthSettings(env: Env = process.env): Promise<AuthSettings> {
  const settings = Object.fromEntries((await resolveAllSettings(env)).map((s) => [s.key, s.value]));
  const clientId = settings["auth.clientId"] ?? DEFAULT_CLIENT_ID;
  const resource = settings["auth.audience"];
  return {
    issuer: normaliseIssuer(settings["auth.domain"] ?? DEFAULT_ISSUER),
    clientId,
    audience: resource ?? clientId,
    resource,
  };
}

export async function discoverIssuer(issuer: string): Promise<IssuerMetadata> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let document: Partial<IssuerMetadata>;
  try {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as Partial<IssuerMetadata>;
  } catch (error) {
    throw new LoginError("ISSUER_UNREACHABLE", `cannot read ${url}: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (document.issuer !== issuer) {
    throw new LoginError("ISSUER_INVALID", `${url} names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(issuer)}`);
  }
  for (const field of ["token_endpoint", "jwks_uri", "device_authorization_endpoint"] as const) {
    if (typeof document[field] !== "string") {
      const hint = field === "device_authorization_endpoint" ? " (the issuer does not offer the device authorization grant)" : "";
      throw new LoginError("ISSUER_INVALID", `${url} has no ${field}${hint}`);
    }
  }
  return document as IssuerMetadata;
}
