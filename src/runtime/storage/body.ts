import { concatBytes } from "../bytes";
import { InvalidArgumentError } from "./errors";
import type { PutBody } from "./types";

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

/** The whole body in memory, for backends that cannot stream (memory, R2 binding, gateway client). */
export async function bodyBytes(body: PutBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(body)) chunks.push(chunk);
  return concatBytes(chunks, body.size);
}
