/** Counters of forwarded calls, for `/__dotdo/metrics`. */
export class ForwardStats {
  /** Calls this replica sent to the holders of objects it does not hold. */
  sent = 0;
  /** Calls other replicas sent here, for objects this one holds. */
  received = 0;
  /** When the last of those arrived (ms since the epoch; 0: none yet). */
  lastReceivedAt = 0;
  /** Sent calls that failed on the way (the holder unreachable, gone, or refusing). */
  failed = 0;
}
