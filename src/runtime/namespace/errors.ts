import { DotdoError } from "../errors";

/**
 * An object's writes could not be stored (the store failed past its deadline, or another
 * instance took the object over): the event that waited for them fails with this, and the
 * object is dropped, to be reloaded from its stored state by the next event. Server outputs
 * answer it with a 503.
 */
export class ObjectUnavailableError extends DotdoError {
  constructor(
    readonly id: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("OBJECT_UNAVAILABLE", `Durable Object ${id}: its writes could not be stored (${reason}); it was reset to its stored state`, { cause });
  }
}

/**
 * Codes of errors that mean "try again shortly", not a bug: answered with a 503. An object
 * that cannot be opened because the store does not answer is one of them, and so is one
 * reached while this server stops (another replica will hold it).
 */
const UNAVAILABLE_CODES = new Set(["OBJECT_UNAVAILABLE", "LEASE_HELD", "FENCED", "STORAGE_REQUEST_FAILED", "ATTEMPT_TIMEOUT", "FORWARD_FAILED", "HELD_ELSEWHERE", "WORKER_DISPOSED"]);

/** Whether `error` (or an error it wraps) says an object cannot be reached right now. */
export function isUnavailable(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
    if (at instanceof DotdoError && UNAVAILABLE_CODES.has(at.code)) return true;
  }
  return false;
}
