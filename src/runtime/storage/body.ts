import { concatBytes } from "../bytes";
import { InvalidArgumentError } from "./errors";
import type { BodyStream, PutBody } from "./types";

/** The number of bytes a body holds (a stream's declared size). */
export function bodySize(body: PutBody): number {
  return body instanceof Uint8Array ? body.length : body.size;
}

/**
 * A body's bytes one piece at a time; a stream that ends before or runs past its declared
 * size fails, so a cut-off upload is never stored as a shorter object.
 */
export async function* bodyChunks(body: PutBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  let received = 0;
  for await (const chunk of body.stream as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.length;
    if (received > body.size) throw new InvalidArgumentError(`body runs past its declared ${body.size} bytes`);
    yield chunk;
  }
  if (received !== body.size) throw new InvalidArgumentError(`body ended after ${received} of its declared ${body.size} bytes`);
}

/** `body`'s bytes as a stream, checked against its declared size on the way (see `bodyChunks`). */
export function checkedStream(body: BodyStream): ReadableStream<Uint8Array> {
  const chunks = bodyChunks(body);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** workerd's `FixedLengthStream`: a stream whose length the platform knows before it starts. */
type FixedLengthStreamClass = new (length: number) => TransformStream<Uint8Array, Uint8Array>;

/**
 * `body` as a stream of known length, where the platform has one (workerd): R2's `put` streams
 * only such a body, and fetch sends it with a `Content-Length` instead of chunked. `undefined`
 * elsewhere.
 */
export function fixedLengthStream(body: BodyStream): ReadableStream<Uint8Array> | undefined {
  const FixedLengthStream = platformFixedLengthStream();
  if (FixedLengthStream === undefined) return undefined;
  const fixed = new FixedLengthStream(body.size);
  // A failing body aborts the fixed stream, and so the put or fetch reading it.
  void checkedStream(body).pipeTo(fixed.writable).catch(() => undefined);
  return fixed.readable;
}

/**
 * workerd's own `FixedLengthStream`, a native class. The runtime shim defines a JavaScript one
 * off Cloudflare, which behaves alike but tells neither fetch nor an R2 binding its length.
 */
function platformFixedLengthStream(): FixedLengthStreamClass | undefined {
  const FixedLengthStream = (globalThis as { FixedLengthStream?: FixedLengthStreamClass }).FixedLengthStream;
  return typeof FixedLengthStream === "function" && Function.prototype.toString.call(FixedLengthStream).includes("[native code]") ? FixedLengthStream : undefined;
}

/** The whole body in memory, for backends that cannot stream (memory; R2 outside workerd). */
export async function bodyBytes(body: PutBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(body)) chunks.push(chunk);
  return concatBytes(chunks, body.size);
}
