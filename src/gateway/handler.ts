import { scopeStore, tenantRoot } from "../runtime/auth/scoped-store";
import { PathForbiddenError, TokenInvalidError } from "../runtime/auth/errors";
import type { TokenVerifier } from "../runtime/auth/verify";
import { concatBytes } from "../runtime/bytes";
import { sha256Hex } from "../runtime/sha256";
import { DotdoError } from "../runtime/errors";
import { InvalidArgumentError, PreconditionFailedError } from "../runtime/storage/errors";
import { GATEWAY_PROTOCOL } from "../runtime/storage/gateway";
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from "../runtime/storage/types";
import { DEFAULT_BODY_PROGRESS, watchProgress, type BodyProgress } from "./body-progress";
import { BadRequestError, BodyTooLargeError, BucketForbiddenError } from "./errors";
import { statusFor } from "./status";
import { UploadSlots, type UploadHolders } from "./upload-slots";

export interface GatewayOptions {
  /** The bucket, seen from its root; tokens are confined to `{prefix}/org={org}/tenant={tenant}/` in it. */
  store: ObjectStore;
  verifier: TokenVerifier;
  /** When set, a token whose `storage.bucket` differs is refused (`BUCKET_FORBIDDEN`). */
  bucket?: string;
  /** Largest accepted object body. Default 256 MiB. */
  maxBodyBytes?: number;
  /** How fast an upload must keep arriving (`BODY_TIMEOUT`, 408, when it does not). Default: 20 s idle, 1 KiB/s. */
  bodyProgress?: Partial<BodyProgress>;
  /** Uploads one token may have in flight at once (`TOO_MANY_UPLOADS`, 429, beyond). Default 4. */
  maxUploadsPerToken?: number;
  /** Uploads one tenant may have in flight at once, over all its tokens (`TOO_MANY_UPLOADS`, 429, beyond). Default 8. */
  maxUploadsPerTenant?: number;
  /** Told about failures that become HTTP 500, whose details are not sent to the client. */
  onError?: (error: unknown) => void;
}

export type GatewayHandler = (request: Request) => Promise<Response>;

const DEFAULT_MAX_BODY = 256 * 1024 * 1024;

/**
 * The storage gateway as a fetch handler (runs on Node through `./node`, and in a Worker).
 * Every request is authenticated first, then confined to the token's scope; the key comes
 * from the `key` query parameter, so URL path normalisation can never change it.
 */
export function createGatewayHandler(options: GatewayOptions): GatewayHandler {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const progress = { ...DEFAULT_BODY_PROGRESS, ...options.bodyProgress };
  const uploads = new UploadSlots({ token: options.maxUploadsPerToken ?? 4, tenant: options.maxUploadsPerTenant ?? 8 });

  /** The bucket seen through the token's scope, and who an upload with it is counted against. */
  async function authorise(request: Request): Promise<{ store: ObjectStore; holders: () => Promise<UploadHolders> }> {
    const header = request.headers.get("authorization") ?? "";
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (!match?.[1]) throw new TokenInvalidError("no bearer token in the Authorization header");
    const token = match[1];
    const { storage, payload } = await options.verifier.verifyStorage(token);
    if (options.bucket !== undefined && storage.bucket !== options.bucket) {
      throw new BucketForbiddenError(storage.bucket, options.bucket);
    }
    const tenant = tenantRoot(storage);
    // An issuer's jti is unique among its tokens, so within one tenant it names one token.
    const tokenId = async () => (typeof payload.jti === "string" ? `jti:${tenant}:${payload.jti}` : `sha256:${await sha256Hex(new TextEncoder().encode(token))}`);
    return { store: scopeStore(options.store, storage), holders: async () => ({ token: await tokenId(), tenant }) };
  }

  /**
   * Passes the request body on to the store as it arrives (one with a `Content-Length`; a body
   * without one is read whole, up to the limit, first), cut off when it stalls.
   */
  async function upload(request: Request, store: ObjectStore, holders: UploadHolders, key: string): Promise<ObjectInfo> {
    const conditions = parseConditions(request.headers);
    const size = declaredLength(request.headers, maxBody);
    const release = uploads.take(holders);
    const body = watchProgress(request.body ?? new ReadableStream({ start: (controller) => controller.close() }), progress);
    try {
      const input = size === undefined ? await readCapped(body.stream, maxBody) : { stream: body.stream, size };
      return await store.put(key, input, conditions);
    } catch (error) {
      // The store may wrap the stream's error in its own; the client should learn it was too slow.
      throw body.failure ?? error;
    } finally {
      release();
    }
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === GATEWAY_PROTOCOL.listPath) {
      if (request.method !== "GET") throw new BadRequestError(405, `${request.method} is not allowed on ${url.pathname}`);
      const { store } = await authorise(request);
      const limit = single(url, "limit");
      const result = await store.list(single(url, "prefix") ?? "", {
        cursor: single(url, "cursor"),
        limit: limit === undefined ? undefined : integer(limit, "limit"),
      });
      return Response.json(result);
    }
    if (url.pathname !== GATEWAY_PROTOCOL.objectPath) throw new BadRequestError(404, `no such endpoint: ${url.pathname}`);
    if (!["GET", "HEAD", "PUT", "DELETE"].includes(request.method)) {
      throw new BadRequestError(405, `${request.method} is not allowed on ${url.pathname}`);
    }
    const { store, holders } = await authorise(request);
    const key = single(url, "key");
    if (key === undefined) throw new BadRequestError(400, "the 'key' query parameter is required");

    switch (request.method) {
      case "GET": {
        const range = parseRange(request.headers.get("range"));
        const object = await store.get(key, range && { range });
        if (!object) return notFound(key);
        const headers = objectHeaders(object);
        if (!range) return new Response(object.body, { headers });
        const end = range.offset + object.body.length - 1;
        headers.set("content-range", object.body.length > 0 ? `bytes ${range.offset}-${end}/${object.size}` : `bytes */${object.size}`);
        return new Response(object.body, { status: 206, headers });
      }
      case "HEAD": {
        const info = await store.head(key);
        return info ? new Response(null, { headers: objectHeaders(info) }) : new Response(null, { status: 404 });
      }
      case "PUT":
        return Response.json(await upload(request, store, await holders(), key));
      default: {
        await store.delete(key);
        return new Response(null, { status: 204 });
      }
    }
  }

  return async (request) => {
    try {
      return await route(request);
    } catch (error) {
      return errorResponse(error, options.onError);
    }
  };
}

/** A query parameter given at most once: two values would leave open which one is checked and which used. */
function single(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  if (values.length > 1) throw new PathForbiddenError(`query parameter '${name}' given ${values.length} times`);
  return values[0];
}

function integer(value: string, name: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`query parameter '${name}' must be a non-negative integer`);
  return Number(value);
}

/** `bytes=a-b` or `bytes=a-`, the only forms the client sends. */
function parseRange(header: string | null): ByteRange | undefined {
  if (header === null) return undefined;
  const match = /^bytes=(\d{1,15})-(\d{1,15})?$/.exec(header.trim());
  if (!match) throw new InvalidArgumentError(`unsupported Range ${JSON.stringify(header)}: use bytes=start-end or bytes=start-`);
  const offset = Number(match[1]);
  if (match[2] === undefined) return { offset };
  const end = Number(match[2]);
  if (end < offset) throw new InvalidArgumentError(`Range ${header} ends before it starts`);
  return { offset, length: end - offset + 1 };
}

function parseConditions(headers: Headers): PutOptions | undefined {
  const ifNoneMatch = headers.get("if-none-match");
  const ifMatch = headers.get("if-match");
  if (ifNoneMatch !== null && ifMatch !== null) throw new BadRequestError(400, "send If-None-Match or If-Match, not both");
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() !== "*") throw new BadRequestError(400, "If-None-Match supports only *");
    return { ifNoneMatch: "*" };
  }
  if (ifMatch !== null) {
    const match = /^"([^"]+)"$/.exec(ifMatch.trim());
    if (!match?.[1]) throw new BadRequestError(400, "If-Match must be one strong quoted etag");
    return { ifMatch: match[1] };
  }
  return undefined;
}

/** The body's size from `Content-Length`, when sent (a store is told the size before the bytes). */
function declaredLength(headers: Headers, limit: number): number | undefined {
  const header = headers.get("content-length");
  if (header === null) return undefined;
  if (!/^\d{1,16}$/.test(header.trim())) throw new BadRequestError(400, `Content-Length ${JSON.stringify(header)} is not a size`);
  const size = Number(header);
  if (size > limit) throw new BodyTooLargeError(limit);
  return size;
}

/** A body of unknown size, read whole; refused as soon as it passes `limit`. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return concatBytes(chunks, size);
}

function objectHeaders(info: ObjectInfo): Headers {
  return new Headers({
    etag: `"${info.etag}"`,
    [GATEWAY_PROTOCOL.sizeHeader]: String(info.size),
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes",
  });
}

function notFound(key: string): Response {
  return Response.json({ error: { code: "NOT_FOUND", message: `no object ${JSON.stringify(key)}` } }, { status: 404 });
}

function errorResponse(error: unknown, onError: ((error: unknown) => void) | undefined): Response {
  const status = statusFor(error);
  if (status === 500) {
    onError?.(error);
    return Response.json({ error: { code: "INTERNAL", message: "internal error" } }, { status });
  }
  const { code, message } = error as DotdoError;
  const condition = error instanceof PreconditionFailedError ? error.condition : undefined;
  const headers: Record<string, string> = status === 401 ? { "www-authenticate": `Bearer error="invalid_token"` } : status === 429 ? { "retry-after": "1" } : {};
  return Response.json({ error: { code, message, ...(condition && { condition }) } }, { status, headers });
}
