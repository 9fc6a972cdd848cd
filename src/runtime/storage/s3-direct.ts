import type { S3Client } from "@aws-sdk/client-s3";

export interface DirectPutOptions {
  bucket: string;
  /** The store's endpoint: without one (AWS S3 itself) there is no direct put. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** The provider's header rewrites, applied before signing as the SDK path does. */
  rewrite: ((headers: Record<string, string>) => void) | undefined;
}

/** A put of bytes, with its conditions as S3 headers: the object's ETag, or null when it did not plainly succeed. */
export type DirectPut = (key: string, body: Uint8Array, conditions: Record<string, string>) => Promise<string | null>;

/**
 * A PUT of bytes without the SDK's per-request machinery (middleware stack, endpoint rules,
 * schema serialization), signed by the client's own signer with its own credentials and sent
 * by its own HTTP handler (same timeouts, same connections). That machinery costs about
 * 0.5 ms of CPU a request, and an object's log appends one PUT per commit batch, the hottest
 * request dotdo makes. Only the plain case is handled here: any answer but a 2xx with an ETag,
 * and any failure to get one, is null, and the caller sends the put again through the SDK,
 * whose retries, error parsing and redirects then apply as to every other request.
 */
export function directPut(client: S3Client, options: DirectPutOptions): DirectPut | undefined {
  const { bucket, forcePathStyle, rewrite } = options;
  // A bucket that cannot be a host name goes path-style through the SDK.
  if (options.endpoint === undefined || (!forcePathStyle && !DNS_BUCKET.test(bucket))) return undefined;
  const base = new URL(options.endpoint);
  const hostname = forcePathStyle ? base.hostname : `${bucket}.${base.hostname}`;
  const host = base.port ? `${hostname}:${base.port}` : hostname;
  const prefix = `${base.pathname.replace(/\/$/, "")}${forcePathStyle ? `/${bucket}` : ""}/`;
  const config = client.config;
  return async (key, body, conditions) => {
    const headers: Record<string, string> = { host, "content-length": String(body.length), ...conditions };
    rewrite?.(headers);
    try {
      const [signer, region] = await Promise.all([config.signer(), config.region()]);
      const request = { protocol: base.protocol, hostname, port: base.port ? Number(base.port) : undefined, method: "PUT", path: prefix + encodeKey(key), query: {}, headers, body };
      // The clock as the SDK corrects it, once a store has answered that ours is off.
      const signingDate = new Date(Date.now() + config.systemClockOffset);
      const { response } = await config.requestHandler.handle(await signer.sign(request, { signingDate, signingRegion: region, signingService: "s3" }));
      discard(response.body);
      const etag = response.headers.etag; // both of the SDK's handlers give header names in lower case
      return response.statusCode >= 200 && response.statusCode < 300 && etag ? etag : null;
    } catch {
      return null;
    }
  };
}

/** A bucket name that is also a DNS label (no dots: they would break the TLS certificate's match). */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** A key as S3 signs it: each segment percent-encoded as RFC 3986 asks (`!'()*` too), slashes kept. */
function encodeKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

/** Reads an answer's body to its end (a Node stream or a web one), so that its connection is reused. */
function discard(body: unknown): void {
  const stream = body as { resume?: () => void; cancel?: () => Promise<void> } | undefined;
  if (typeof stream?.resume === "function") stream.resume();
  else void stream?.cancel?.().catch(() => undefined);
}
