import { isSecureEndpoint } from "../secure-url";
import { IssuerInvalidError } from "./errors";

/** The product's issuer when neither `WORKOS_AUTH_DOMAIN` nor `dotdo config auth.domain` says otherwise. */
export const DEFAULT_ISSUER = "https://oauth.do";

/**
 * Accepts `auth.example.com` or a full URL and returns the issuer URL without a trailing
 * slash. Plain http is refused except on loopback, where tests and local development run
 * their own issuer: tokens and keys must not cross a network in clear.
 */
export function normaliseIssuer(domain: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(domain) ? domain : `https://${domain}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new IssuerInvalidError(`auth domain ${JSON.stringify(domain)} is not a host name or URL`);
  }
  if (!isSecureEndpoint(url)) {
    throw new IssuerInvalidError(`auth domain ${domain} must use https (plain http is allowed on loopback only)`);
  }
  return url.href.replace(/\/+$/, "");
}
