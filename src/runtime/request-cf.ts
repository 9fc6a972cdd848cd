/**
 * `request.cf` off Cloudflare, filled from what the platform in front knows: the geo and proxy
 * headers of Cloudflare (when it proxies a server output), Vercel, CloudFront and Fly. The
 * first header present wins, in the order listed. See docs/runtime.md for the table.
 */
const CF_HEADERS: Record<string, readonly string[]> = {
  country: ["cf-ipcountry", "x-vercel-ip-country", "cloudfront-viewer-country"],
  regionCode: ["cf-region-code", "x-vercel-ip-country-region", "cloudfront-viewer-country-region"],
  region: ["cf-region"],
  city: ["cf-ipcity", "x-vercel-ip-city", "cloudfront-viewer-city"],
  continent: ["cf-ipcontinent", "x-vercel-ip-continent"],
  latitude: ["cf-iplatitude", "x-vercel-ip-latitude", "cloudfront-viewer-latitude"],
  longitude: ["cf-iplongitude", "x-vercel-ip-longitude", "cloudfront-viewer-longitude"],
  postalCode: ["cf-postal-code", "x-vercel-ip-postal-code", "cloudfront-viewer-postal-code"],
  metroCode: ["cf-metro-code", "cloudfront-viewer-metro-code"],
  timezone: ["cf-timezone", "x-vercel-ip-timezone", "cloudfront-viewer-time-zone"],
  colo: ["cf-colo", "fly-region"],
};

/** Headers naming the client's address, most specific first; `x-forwarded-for` lists hops, client first. */
const CLIENT_IP_HEADERS = ["fly-client-ip", "x-real-ip", "x-forwarded-for"];

/** Values some platforms URL-encode (Vercel's city names). */
const ENCODED = new Set(["city"]);

export type RequestCf = Record<string, string>;

type WithCf = { cf?: unknown };

/** The `cf` object for a request with these headers. */
export function requestCf(headers: Headers): RequestCf {
  const cf: RequestCf = {};
  for (const [field, names] of Object.entries(CF_HEADERS)) {
    const value = names.map((name) => headers.get(name)).find((found) => found !== null && found !== "");
    if (value === undefined || value === null) continue;
    cf[field] = field === "colo" ? value.toUpperCase() : ENCODED.has(field) ? safeDecode(value) : value;
  }
  return cf;
}

/** The client's address as the proxy in front reports it, for a `CF-Connecting-IP` header. */
export function clientIp(headers: Headers): string | undefined {
  for (const name of CLIENT_IP_HEADERS) {
    const value = headers.get(name)?.split(",")[0]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** What workerd puts in `request.cf.botManagement` where the edge sent none, before `no_cf_botmanagement_default`. */
const DEFAULT_BOT_MANAGEMENT = { corporateProxy: false, verifiedBot: false, jsDetection: { passed: false }, staticResource: false, detectionIds: {}, score: 99 };

/**
 * Gives an incoming request what workerd's has: `redirect: "manual"` (so `fetch(request)`
 * hands an origin's redirect back to the client rather than following it), a `cf` property
 * and, when absent, a `CF-Connecting-IP` header, unless it has them already (a request that
 * came through Cloudflare). Where the request must change and the platform made it immutable
 * (Deno's headers, every platform's `redirect`), it is copied. `botManagementDefault`
 * (compatibility dates before 2023-08-01) fills workerd's default `botManagement` into a `cf`
 * made here.
 */
export function incomingRequest(request: Request, botManagementDefault = false): Request {
  const ip = request.headers.has("cf-connecting-ip") ? undefined : clientIp(request.headers);
  let result = request.redirect === "manual" ? request : new Request(request, { redirect: "manual" });
  if (ip !== undefined) {
    try {
      result.headers.set("cf-connecting-ip", ip);
    } catch {
      const headers = new Headers(result.headers);
      headers.set("cf-connecting-ip", ip);
      result = new Request(result, { headers });
    }
  }
  if ((result as WithCf).cf === undefined) {
    const cf = (request as WithCf).cf ?? { ...requestCf(result.headers), ...(botManagementDefault && { botManagement: structuredClone(DEFAULT_BOT_MANAGEMENT) }) };
    Object.defineProperty(result, "cf", { value: cf, configurable: true, enumerable: false });
  }
  return result;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
