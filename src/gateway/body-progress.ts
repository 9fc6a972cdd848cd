import { BodyTimeoutError } from "./errors";

/** How fast an upload body must keep arriving. */
export interface BodyProgress {
  /** Longest wait for the next piece of the body (and for the first). Default 20 s. */
  idleMs: number;
  /**
   * After the first `idleMs`, the body must average at least this many bytes a second, over the
   * time spent waiting for it (not while the store was busy taking what came). Default 1024.
   */
  minBytesPerSecond: number;
}

export const DEFAULT_BODY_PROGRESS: BodyProgress = { idleMs: 20_000, minBytesPerSecond: 1024 };

/** A body stream under watch: `failure` is set once it was cut off for being too slow. */
export interface WatchedBody {
  stream: ReadableStream<Uint8Array>;
  readonly failure: BodyTimeoutError | undefined;
}

/**
 * `body`, failing with `BodyTimeoutError` when it stalls for `idleMs` or falls behind
 * `minBytesPerSecond` (a byte every few seconds would otherwise hold a connection and an
 * upload slot for as long as the client likes: slowloris).
 */
export function watchProgress(body: ReadableStream<Uint8Array>, progress: BodyProgress): WatchedBody {
  const reader = body.getReader();
  let received = 0;
  let waited = 0;
  let failure: BodyTimeoutError | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const began = Date.now();
      const idleEnd = began + progress.idleMs;
      const rateEnd = began + progress.idleMs + (received * 1000) / progress.minBytesPerSecond - waited;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const overdue = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          failure = new BodyTimeoutError(
            rateEnd < idleEnd
              ? `request body arrived slower than ${progress.minBytesPerSecond} bytes/s (${received} bytes so far)`
              : `request body stalled: nothing for ${progress.idleMs} ms (${received} bytes so far)`,
          );
          reject(failure);
        }, Math.max(0, Math.min(idleEnd, rateEnd) - Date.now()));
      });
      try {
        const { done, value } = await Promise.race([reader.read(), overdue]);
        if (done) return controller.close();
        received += value.length;
        controller.enqueue(value);
      } catch (error) {
        void reader.cancel(error).catch(() => undefined);
        throw error;
      } finally {
        clearTimeout(timer);
        waited += Date.now() - began;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return {
    stream,
    get failure() {
      return failure;
    },
  };
}
