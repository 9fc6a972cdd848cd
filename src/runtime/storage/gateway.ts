import {
  ClaimsInvalidError,
  ClaimsMissingError,
  KeysUnavailableError,
  PathForbiddenError,
  PermissionDeniedError,
  TokenExpiredError,
  TokenInvalidError,
  TokenNotYetValidError,
  TokenRevokedError,
} from "../auth/errors";
import { GatewayProtocolError, InvalidArgumentError, InvalidKeyError, PreconditionFailedError, StorageRequestError } from "./errors";
import { unquoteEtag } from "./etag";
import { assertValidKey, assertValidPrefix, pageLimit } from "./keys";
import { rangedGet, rangeHeader } from "./range";
import { checkedStream, fixedLengthStream } from "./body";
import { DotdoError } from "../errors";
import type { GetOptions, ListOptions, ListResult, ObjectInfo, ObjectStore, PutBody, PutOptions, StoredObject } from "./types";

/**
 * The `gateway` backend: an ObjectStore over HTTP to a dotdo storage gateway, which holds
 * the bucket credentials and confines the bearer token to its tenant. The app holds only
 * the JWT. Keys are relative to the token's tenant folder, so an object's keys are
 * `do/{id}/…` (wrap with `withPrefix(store, "do/{id}")` for one object). Keys, ranges and
 * page sizes are checked here like in every backend (`INVALID_KEY`, `INVALID_ARGUMENT`); the
 * gateway checks them again, as it must for any client.
 */

/** Wire protocol shared with `src/gateway`. */
export const GATEWAY_PROTOCOL = {
  objectPath: "/v1/object",
  listPath: "/v1/list",
  /** Size of the whole object, also on ranged and HEAD responses. */
  sizeHeader: "x-dotdo-size",
} as const;

export interface GatewayStoreOptions {
  /** The gateway's base URL, e.g. `https://storage.example.com`. */
  url: string;
  /** The JWT, or a function returning a current one (called per request, so it can refresh). */
  token: string | (() => string | Promise<string>);
  fetch?: typeof fetch;
}

/**
 * The platform's fetch as it was when this module loaded: the store's own requests must not wait
 * for the output gate (state/fetch-gate.ts), which waits for them.
 */
const platformFetch = globalThis.fetch;

export function createGatewayStore(options: GatewayStoreOptions): ObjectStore {
  const base = options.url.replace(/\/+$/, "");
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => platformFetch(input, init));
  const token = typeof options.token === "string" ? () => options.token as string : options.token;

  async function call(operation: string, key: string, path: string, query: Record<string, string | undefined>, init: RequestInit = {}): Promise<Response> {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${await token()}`);
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers });
    } catch (error) {
      // A streamed body that failed (cut short, too slow) says so itself.
      const cause = (error as Error).cause;
      if (cause instanceof DotdoError) throw cause;
      throw new StorageRequestError(base, operation, key, (error as Error).message, { cause: error });
    }
    if (response.ok || response.status === 404) return response;
    throw await failure(response, operation, key);
  }

  async function failure(response: Response, operation: string, key: string): Promise<Error> {
    const text = await response.text();
    let body: { error?: { code?: unknown; message?: unknown; condition?: unknown } } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not a gateway error document (a proxy in between, say): report the status.
    }
    const code = typeof body.error?.code === "string" ? body.error.code : undefined;
    const message = typeof body.error?.message === "string" ? body.error.message : `HTTP ${response.status}`;
    const condition = typeof body.error?.condition === "string" ? body.error.condition : message;
    const known = code === undefined ? undefined : remoteError(code, message, key, condition);
    return known ?? new StorageRequestError(base, operation, key, `${code ?? `HTTP ${response.status}`}: ${message}`);
  }

  const info = (key: string, response: Response): ObjectInfo => {
    const etag = response.headers.get("etag");
    const size = Number(response.headers.get(GATEWAY_PROTOCOL.sizeHeader));
    if (etag === null || !Number.isSafeInteger(size)) {
      throw new GatewayProtocolError(`gateway ${base} answered for ${key} without etag or ${GATEWAY_PROTOCOL.sizeHeader}`);
    }
    return { key, size, etag: unquoteEtag(etag) };
  };

  const store: ObjectStore = {
    url: base,

    get: (key: string, getOptions?: GetOptions): Promise<StoredObject | null> =>
      rangedGet(key, getOptions, (headKey) => store.head(headKey), async (range) => {
        const headers = range ? { range: rangeHeader(range) } : undefined;
        const response = await call("get", key, GATEWAY_PROTOCOL.objectPath, { key }, { headers });
        if (response.status === 404) return discard(response);
        const body = new Uint8Array(await response.arrayBuffer());
        return { ...info(key, response), body };
      }),

    async head(key: string): Promise<ObjectInfo | null> {
      assertValidKey(key);
      const response = await call("head", key, GATEWAY_PROTOCOL.objectPath, { key }, { method: "HEAD" });
      if (response.status === 404) return discard(response);
      return info(key, response);
    },

    async put(key: string, input: PutBody, putOptions?: PutOptions): Promise<ObjectInfo> {
      assertValidKey(key);
      const headers: Record<string, string> = { "content-type": "application/octet-stream" };
      if (putOptions?.ifNoneMatch) headers["if-none-match"] = putOptions.ifNoneMatch;
      if (putOptions?.ifMatch !== undefined) headers["if-match"] = `"${putOptions.ifMatch}"`;
      const response = await call("put", key, GATEWAY_PROTOCOL.objectPath, { key }, { method: "PUT", headers, ...requestBody(input, headers) });
      if (response.status === 404) {
        await response.body?.cancel();
        throw new GatewayProtocolError(`gateway ${base} has no object endpoint (404 on put)`);
      }
      return (await response.json()) as ObjectInfo;
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      const response = await call("delete", key, GATEWAY_PROTOCOL.objectPath, { key }, { method: "DELETE" });
      await response.body?.cancel();
    },

    async list(prefix: string, listOptions?: ListOptions): Promise<ListResult> {
      assertValidPrefix(prefix);
      pageLimit(listOptions);
      const response = await call("list", prefix, GATEWAY_PROTOCOL.listPath, {
        prefix,
        cursor: listOptions?.cursor,
        limit: listOptions?.limit === undefined ? undefined : String(listOptions.limit),
      });
      if (response.status === 404) {
        await response.body?.cancel();
        throw new GatewayProtocolError(`gateway ${base} has no list endpoint`);
      }
      return (await response.json()) as ListResult;
    },
  };
  return store;
}

/**
 * A put's body: bytes as they are; a stream as a stream, never read whole first, with its length
 * known to the platform (workerd's `FixedLengthStream`) or declared in `Content-Length` (elsewhere),
 * since the gateway passes on only a body whose size it is told.
 */
function requestBody(input: PutBody, headers: Record<string, string>): RequestInit {
  if (input instanceof Uint8Array) return { body: input.slice() };
  const fixed = fixedLengthStream(input);
  if (fixed === undefined) headers["content-length"] = String(input.size);
  // Node's fetch sends a stream body only when told it may before the answer starts.
  return { body: fixed ?? checkedStream(input), duplex: "half" } as RequestInit;
}

/** The same typed error the gateway raised, so callers branch on `code` as with a local store. */
function remoteError(code: string, message: string, key: string, condition: string): Error | undefined {
  switch (code) {
    case "TOKEN_INVALID": return new TokenInvalidError(message);
    case "TOKEN_EXPIRED": return new TokenExpiredError(message);
    case "TOKEN_NOT_YET_VALID": return new TokenNotYetValidError(message);
    case "TOKEN_REVOKED": return new TokenRevokedError(message);
    case "KEYS_UNAVAILABLE": return new KeysUnavailableError(message);
    case "CLAIMS_MISSING": return new ClaimsMissingError(message);
    case "CLAIMS_INVALID": return new ClaimsInvalidError(message);
    case "PATH_FORBIDDEN": return new PathForbiddenError(message);
    case "PERMISSION_DENIED": return new PermissionDeniedError(message);
    case "INVALID_ARGUMENT": return new InvalidArgumentError(message);
    case "INVALID_KEY": return new InvalidKeyError(key, message);
    case "PRECONDITION_FAILED": return new PreconditionFailedError(key, condition);
    default: return undefined;
  }
}

async function discard(response: Response): Promise<null> {
  await response.body?.cancel();
  return null;
}
