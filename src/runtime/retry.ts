import { DotdoError } from "./errors";

/** How long to keep trying one store request, and how to space the tries. */
export interface RetryPolicy {
  /** Give up once this long has passed since the first try. */
  deadlineMs: number;
  /** The first wait; each later one doubles, up to `maxDelayMs`, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Each try fails with a timeout after this long (its outcome is then unknown). */
  attemptTimeoutMs?: number;
}

/** A store request did not answer in time: whether it took effect is unknown. */
export class AttemptTimeoutError extends DotdoError {
  constructor(ms: number) {
    super("ATTEMPT_TIMEOUT", `no answer within ${ms} ms`);
  }
}

/**
 * Runs `attempt` until it succeeds, `retryable` says no, or the deadline passes (then the last
 * error is thrown). Each try is raced against `attemptTimeoutMs`.
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  policy: RetryPolicy,
): Promise<T> {
  const { deadlineMs, baseDelayMs = 50, maxDelayMs = 2_000, attemptTimeoutMs } = policy;
  const deadline = Date.now() + deadlineMs;
  for (let tries = 0; ; tries++) {
    try {
      return await (attemptTimeoutMs === undefined ? attempt() : withTimeout(attempt(), Math.min(attemptTimeoutMs, Math.max(1, deadline - Date.now()))));
    } catch (error) {
      const wait = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** tries);
      if (!retryable(error) || Date.now() + wait >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** `work`, or `AttemptTimeoutError` once `ms` have passed without its answer. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeoutError(ms)), ms);
  });
  // A late answer of an abandoned try must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
