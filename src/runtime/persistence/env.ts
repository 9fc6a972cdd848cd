import { DotdoError } from "../errors";
import type { PersistenceLifecycleOptions } from "./lifecycle";
import { MAX_APPEND_WINDOW } from "./log/log-store";

/** A persistence setting in the environment that is not a whole number in its range. */
export class PersistenceConfigError extends DotdoError {
  constructor(name: string, value: string, expected = "a positive whole number") {
    super("PERSISTENCE_CONFIG_INVALID", `${name}=${JSON.stringify(value)}: expected ${expected}`);
  }
}

/**
 * The persistence settings a built output takes from its environment (they are the platform's
 * to set, not the Worker's code):
 * - `DOTDO_HOLDER` names this instance in leases; default `fallbackHolder` (the host name), so
 *   a restarted process takes its crashed predecessor's objects over at once (the log's seal
 *   makes that safe) instead of waiting out their leases.
 * - `DOTDO_CHECKPOINT_INTERVAL_MS`, `DOTDO_CHECKPOINT_LOG_ENTRIES`: when checkpoints compact
 *   the log (see `IcebergConfig`).
 * - `DOTDO_LOG_WINDOW`: how many log appends of one object may be in flight at once, 1 to
 *   `MAX_APPEND_WINDOW` (default `defaultAppendWindow`): fewer PUTs on a busy object against
 *   lower write latency.
 * - `DOTDO_STORE_DEADLINE_MS`: how long a log append retries a failing store before the
 *   writes in it fail.
 * - `DOTDO_LEASE_TTL_MS`: how long a lease lasts unrenewed, so how long others wait for a
 *   holder that vanished (default 30 s).
 * - `DOTDO_STOP_GRACE_MS`: how long SIGTERM retries each object's final checkpoint while the
 *   store fails (default 10 s).
 */
export function persistenceEnv(
  env: Record<string, string | undefined>,
  fallbackHolder?: string,
): Pick<PersistenceLifecycleOptions, "holder" | "iceberg" | "storePolicy" | "leaseTtlMs" | "stopGraceMs" | "appendWindow"> {
  const number = (name: string): number | undefined => {
    const value = env[name]?.trim();
    if (!value) return undefined;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new PersistenceConfigError(name, value);
    return Number(value);
  };
  const holder = env.DOTDO_HOLDER?.trim() || fallbackHolder;
  const checkpointIntervalMs = number("DOTDO_CHECKPOINT_INTERVAL_MS");
  const maxLogEntries = number("DOTDO_CHECKPOINT_LOG_ENTRIES");
  const deadlineMs = number("DOTDO_STORE_DEADLINE_MS");
  const leaseTtlMs = number("DOTDO_LEASE_TTL_MS");
  const stopGraceMs = number("DOTDO_STOP_GRACE_MS");
  const appendWindow = number("DOTDO_LOG_WINDOW");
  if (appendWindow !== undefined && appendWindow > MAX_APPEND_WINDOW) {
    throw new PersistenceConfigError("DOTDO_LOG_WINDOW", String(appendWindow), `a whole number from 1 to ${MAX_APPEND_WINDOW}`);
  }
  return {
    ...(appendWindow !== undefined && { appendWindow }),
    ...(stopGraceMs !== undefined && { stopGraceMs }),
    ...(holder && { holder }),
    ...(leaseTtlMs !== undefined && { leaseTtlMs }),
    iceberg: {
      ...(checkpointIntervalMs !== undefined && { checkpointIntervalMs }),
      ...(maxLogEntries !== undefined && { maxLogEntries }),
    },
    ...(deadlineMs !== undefined && { storePolicy: { deadlineMs, attemptTimeoutMs: Math.min(5_000, deadlineMs) } }),
  };
}
