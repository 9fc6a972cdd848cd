/**
 * True when tokens may be sent to this URL: https anywhere, plain http only on loopback,
 * where tests and local development run their own services. Nothing secret crosses a
 * network in clear.
 */
export function isSecureEndpoint(url: URL): boolean {
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}
