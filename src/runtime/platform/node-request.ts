import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { DotdoError } from "../errors";

/**
 * A request node:http parsed but that no web `Request` can carry (a forbidden method, an
 * asterisk-form target, a Host header that is not a host): answered 400 or 405, never a 500.
 */
export class MalformedRequestError extends DotdoError {
  constructor(
    readonly status: 400 | 405,
    message: string,
  ) {
    super(status === 405 ? "METHOD_NOT_ALLOWED" : "BAD_REQUEST", message);
  }
}

/** Methods the fetch standard forbids in a `Request`. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
/** An IP literal or a registered name, and an optional port: no user info, no spaces. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:\d{1,5})?$/;

/**
 * A web `Request` for a node:http request (the body streams through), with `signal` as its
 * signal if given; `MalformedRequestError` if there is none.
 */
export function toWebRequest(req: IncomingMessage, signal?: AbortSignal): Request {
  const method = req.method ?? "GET";
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new MalformedRequestError(405, `${method} requests are not served`);
  const url = requestUrl(req.url ?? "/", req.headers.host ?? "localhost");
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  // Manual, as workerd's incoming requests (see incomingRequest): set here, no copy is needed.
  return new Request(url, { method, headers, body: requestBody(req, method), duplex: "half", redirect: "manual", ...(signal && { signal }) } as RequestInit);
}

const NO_BYTES = new Uint8Array(0);

/**
 * The body as workerd gives it: null when the request's framing declares none (neither
 * Content-Length nor Transfer-Encoding, RFC 9112 §6.3) and on GET and HEAD; empty, not null,
 * at `Content-Length: 0`. Only a body with bytes to come streams through node's adapter, which
 * costs a few percent of a small request's CPU.
 */
function requestBody(req: IncomingMessage, method: string): Uint8Array | ReadableStream<Uint8Array> | null {
  if (method === "GET" || method === "HEAD") return null;
  const length = req.headers["content-length"];
  if (length === undefined && req.headers["transfer-encoding"] === undefined) return null;
  return length === "0" ? NO_BYTES : (Readable.toWeb(req) as ReadableStream<Uint8Array>);
}

/** Origin-form (`/path?query`) on the Host header's host, or absolute-form as sent (RFC 9112 §3.2). */
function requestUrl(target: string, host: string): URL {
  const absolute = /^https?:\/\//i.test(target) ? URL.parse(target) : null;
  if (absolute) return absolute;
  if (!target.startsWith("/")) throw new MalformedRequestError(400, `request target ${JSON.stringify(target)} is neither a path nor an absolute URL`);
  // Appended, not resolved: a path starting "//" (`//about`) is a path, not another host.
  const url = HOST.test(host) ? URL.parse(`http://${host}${target}`) : null;
  if (!url) throw new MalformedRequestError(400, `Host header ${JSON.stringify(host)} is not a host`);
  return url;
}

/** `handle`'s answer to a node:http request; a request no web `Request` can carry gets its 400 or 405 (JSON, the gateway's error shape). */
export async function answerNodeRequest(handle: (request: Request) => Promise<Response>, req: IncomingMessage, signal?: AbortSignal): Promise<Response> {
  let request: Request;
  try {
    request = toWebRequest(req, signal);
  } catch (error) {
    if (!(error instanceof MalformedRequestError)) throw error;
    return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status });
  }
  return handle(request);
}
