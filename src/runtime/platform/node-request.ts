import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { DotdoError } from "../errors";

/**
 * A request node:http parsed but that no web `Request` can carry (a forbidden method, an
 * asterisk-form target, a Host header that is not a host), or whose declared body is larger
 * than the server takes: answered 400, 405 or 413, never a 500.
 */
export class MalformedRequestError extends DotdoError {
  constructor(
    readonly status: 400 | 405 | 413,
    message: string,
  ) {
    super(status === 405 ? "METHOD_NOT_ALLOWED" : status === 413 ? "BODY_TOO_LARGE" : "BAD_REQUEST", message);
  }
}

/** Methods the fetch standard forbids in a `Request`. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
/** An IP literal or a registered name, and an optional port: no user info, no spaces. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:\d{1,5})?$/;

/**
 * A web `Request` for a node:http request (the body streams through); `MalformedRequestError`
 * if there is none. A body may hold at most `maxBodyBytes`: one declared larger is refused
 * here, one that streams past it (chunked) fails the Worker's read of it.
 */
export function toWebRequest(req: IncomingMessage, maxBodyBytes = Infinity): Request {
  const method = req.method ?? "GET";
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new MalformedRequestError(405, `${method} requests are not served`);
  const url = requestUrl(req.url ?? "/", req.headers.host ?? "localhost");
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  // Manual, as workerd's incoming requests (see incomingRequest): set here, no copy is needed.
  return new Request(url, { method, headers, body: requestBody(req, method, maxBodyBytes), duplex: "half", redirect: "manual" } as RequestInit);
}

const NO_BYTES = new Uint8Array(0);

/**
 * The body as workerd gives it: null when the request's framing declares none (neither
 * Content-Length nor Transfer-Encoding, RFC 9112 §6.3) and on GET and HEAD; empty, not null,
 * at `Content-Length: 0`. Only a body with bytes to come streams through node's adapter, which
 * costs a few percent of a small request's CPU.
 */
function requestBody(req: IncomingMessage, method: string, maxBodyBytes: number): Uint8Array | ReadableStream<Uint8Array> | null {
  if (method === "GET" || method === "HEAD") return null;
  const length = req.headers["content-length"];
  if (length === undefined && req.headers["transfer-encoding"] === undefined) return null;
  if (length === "0") return NO_BYTES;
  if (Number(length) > maxBodyBytes) throw new MalformedRequestError(413, `the request body (${length} bytes) is larger than this server takes (${maxBodyBytes} bytes)`);
  const body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
  // node:http holds a body to its Content-Length; only one without it can run on.
  return length === undefined && Number.isFinite(maxBodyBytes) ? body.pipeThrough(atMost(maxBodyBytes)) : body;
}

/** Passes bytes through until more than `max` have come, then fails the stream (and the upload with it). */
function atMost(max: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) controller.error(new MalformedRequestError(413, `the request body is larger than this server takes (${max} bytes)`));
      else controller.enqueue(chunk);
    },
  });
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
export async function answerNodeRequest(handle: (request: Request) => Promise<Response>, req: IncomingMessage, maxBodyBytes?: number): Promise<Response> {
  let request: Request;
  try {
    request = toWebRequest(req, maxBodyBytes);
  } catch (error) {
    if (!(error instanceof MalformedRequestError)) throw error;
    return Response.json({ error: { code: error.code, message: error.message } }, { status: error.status });
  }
  return handle(request);
}
