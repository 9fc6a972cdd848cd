import { DotdoError } from "../errors";

/** The object is held by another replica, which serves it at `address`. */
export class HeldElsewhereError extends DotdoError {
  constructor(
    readonly id: string,
    readonly address: string,
  ) {
    super("HELD_ELSEWHERE", `Durable Object ${id} is held by the replica at ${address}`);
  }
}

/**
 * A call forwarded to the replica holding the object failed on the way (not in the object).
 * `undelivered`: the object certainly did not run it (refused connection, not the holder
 * any more, stopping), so it may be sent again after a new look-up.
 */
export class ForwardFailedError extends DotdoError {
  constructor(
    readonly address: string,
    reason: string,
    readonly undelivered: boolean,
    options?: ErrorOptions,
  ) {
    super("FORWARD_FAILED", `forwarding to the holder at ${address} failed: ${reason}`, options);
  }
}
