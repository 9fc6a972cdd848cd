import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/**
 * Streams a web body into a node:http answer; never throws. A body that fails part-way cuts
 * the connection, so the client sees the answer end early instead of one that looks whole, and
 * the failure is logged. A client that goes away cancels the body, so its source stops
 * (a Worker's `cancel()` runs). `.pipe()` did neither: a failing body was an unhandled
 * 'error' event, which ends the process, and a client gone left the body running.
 */
export async function sendBody(body: ReadableStream<Uint8Array>, res: ServerResponse, what: string): Promise<void> {
  try {
    await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), res);
  } catch (error) {
    // The client went away: nothing failed on this side.
    if ((error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE") return;
    console.error(`${what}: the body failed part-way, the connection was cut:`, error);
  }
}
