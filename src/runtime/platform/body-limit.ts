import { errorWithCode } from "../errors";

/** A server setting in the environment that is not one. */
export class ServerConfigError extends errorWithCode("SERVER_CONFIG_INVALID") {}

/** A request body past the server's limit, as the Worker's read of it fails. */
export class BodyTooLargeError extends errorWithCode("BODY_TOO_LARGE") {}

/** Cloudflare's limit on a request body on its Free and Pro plans. */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;

/** `DOTDO_MAX_BODY_BYTES` as a number of bytes (the default when unset); `ServerConfigError` when it is not one. */
export function maxBodyBytesFrom(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_MAX_BODY_BYTES;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new ServerConfigError(`DOTDO_MAX_BODY_BYTES=${JSON.stringify(text)}: expected a whole number of bytes`);
  return value;
}

/**
 * `request` held to `max` body bytes, as Cloudflare's edge holds it: a 413 answer
 * (`BODY_TOO_LARGE`) when its Content-Length says more, before the Worker wakes; else the
 * request, its body failing the Worker's read once more than `max` bytes have come (a chunked
 * upload has no Content-Length to refuse it by).
 */
export function boundedRequest(request: Request, max: number): Request | Response {
  if (request.body === null || !Number.isFinite(max)) return request;
  const length = request.headers.get("content-length");
  if (length !== null) {
    if (Number(length) <= max) return request;
    const error = { code: "BODY_TOO_LARGE", message: `the request body (${length} bytes) is larger than this server takes (${max} bytes)` };
    return Response.json({ error }, { status: 413 });
  }
  let seen = 0;
  const bounded = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) controller.error(new BodyTooLargeError(`the request body is larger than this server takes (${max} bytes)`));
      else controller.enqueue(chunk);
    },
  });
  return new Request(request, { body: request.body.pipeThrough(bounded), duplex: "half" } as RequestInit);
}
