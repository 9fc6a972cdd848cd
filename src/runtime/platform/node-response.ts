import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/**
 * Sends a web `Response` as a node:http answer; never throws once the head is set (see
 * `sendBody`). Headers that node:http refuses (bytes it cannot send) throw here, before
 * anything is sent. `server` names the server in what it logs.
 */
export async function sendResponse(response: Response, req: IncomingMessage, res: ServerResponse, server = "dotdo"): Promise<void> {
  // Answered before the request's body was all read (refused, too large, not wanted): the rest
  // is not waited for, and the connection goes with it.
  if (!req.complete) res.shouldKeepAlive = false;
  res.statusCode = response.status;
  // Without a statusText node sends the standard reason phrase, as workerd does ("200 OK", not "200 ").
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  if (response.headers.has("set-cookie")) res.setHeader("set-cookie", response.headers.getSetCookie());
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel().catch(() => undefined);
    return void res.end();
  }
  await sendBody(response.body, res, `${server} ${req.method} ${req.url?.split("?")[0]}`);
}

const LATER = Symbol("later");

type Read = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;

/**
 * Streams a web body into a node:http answer; never throws. A body that is all at hand at once
 * (a string, bytes, JSON) goes out whole with a Content-Length, as workerd sends it; one that
 * keeps coming streams chunked. A body that fails part-way cuts the connection, so the client
 * sees the answer end early instead of one that looks whole, and the failure is logged. A
 * client that goes away cancels the body, so its source stops (a Worker's `cancel()` runs).
 */
async function sendBody(body: ReadableStream<Uint8Array>, res: ServerResponse, what: string): Promise<void> {
  const reader = body.getReader();
  let rest: ReadableStream<Uint8Array>;
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    const next = reader.read();
    const soon = await Promise.race([next, new Promise<typeof LATER>((resolve) => setImmediate(resolve, LATER))]);
    // node:http adds the Content-Length of what `end()` is given when no header names one.
    if (soon !== LATER && soon.done) return void res.end(first.value);
    rest = continued(first.value, next, reader);
  } catch (error) {
    return cut(res, what, error);
  }
  try {
    await pipeline(Readable.fromWeb(rest as NodeReadableStream<Uint8Array>), res);
  } catch (error) {
    // The client went away: nothing failed on this side.
    if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") cut(res, what, error);
  }
}

/** The body again from its first chunk, then `next`, then the rest of `reader`. */
function continued(first: Uint8Array, next: Promise<Read>, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let pending: Promise<Read> | null = next;
  return new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(first),
    async pull(controller) {
      const read = await (pending ?? reader.read());
      pending = null;
      if (read.done) controller.close();
      else controller.enqueue(read.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function cut(res: ServerResponse, what: string, error: unknown): void {
  console.error(`${what}: the body failed part-way, the connection was cut:`, error);
  res.destroy();
}
