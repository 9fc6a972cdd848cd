/**
 * Streams over RPC, as workerd passes them: the receiver gets a byte stream of its own, joined to
 * the sender's. A `ReadableStream` is read from the sender's as the receiver reads; a
 * `WritableStream`'s writes go to the sender's as `ArrayBuffer`s. When one side goes away the
 * other sees workerd's disconnection error, not the first side's own.
 */
import { chunkBytes } from "../bytes";
import { writtenBytes } from "../state/identity-transform-stream";

const READABLE_LOCKED = "The ReadableStream has been locked to a reader.";
const WRITABLE_LOCKED = "The WritableStream has been locked to a writer.";
const NOT_BYTES = "This ReadableStream did not return bytes.";
/** workerd's wording, its typo included (the version miniflare runs). */
const WRITABLE_DISCONNECTED = "WritableStream received over RPC was disconnected because the remote execution context has endeded.";
const READABLE_DISCONNECTED = "ReadableStream received over RPC disconnected prematurely.";

/**
 * The receiver's end of a `ReadableStream` sent over RPC: a byte stream read from `source`
 * (which stays locked), strings as UTF-8. A source that fails, or gives a chunk of another
 * kind, ends it with workerd's `ReadableStream received over RPC disconnected prematurely.`
 */
export function receivedReadable(source: ReadableStream): ReadableStream<Uint8Array> {
  if (source.locked) throw new TypeError(READABLE_LOCKED);
  const reader = source.getReader();
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      for (;;) {
        const result = await reader.read().catch(() => undefined);
        if (result === undefined) {
          controller.error(new Error(READABLE_DISCONNECTED));
          return;
        }
        if (result.done) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        const bytes = chunkBytes(result.value);
        if (bytes === undefined) {
          void reader.cancel(new TypeError(NOT_BYTES)).catch(() => undefined);
          controller.error(new Error(READABLE_DISCONNECTED));
          return;
        }
        // An empty chunk cannot be enqueued; the read waits for the next.
        if (bytes.byteLength > 0) return controller.enqueue(bytes);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * The receiver's end of a `WritableStream` sent over RPC: a byte stream whose writes go to
 * `target` (which stays locked) as `ArrayBuffer`s, and fail as `target`'s do. Aborting it aborts
 * `target` with workerd's disconnection error: the reason does not cross, as in workerd.
 */
export function receivedWritable(target: WritableStream): WritableStream {
  if (target.locked) throw new TypeError(WRITABLE_LOCKED);
  const writer = target.getWriter();
  return new WritableStream<unknown>({
    async write(chunk) {
      const bytes = writtenBytes(chunk);
      if (bytes.byteLength > 0) await writer.write(bytes.buffer);
    },
    close: () => writer.close(),
    abort: () => writer.abort(new Error(WRITABLE_DISCONNECTED)),
  });
}
