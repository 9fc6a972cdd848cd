import { errorWithCode } from "../errors";

/** The cluster settings in the environment do not go together. */
export class ClusterConfigError extends errorWithCode("CLUSTER_CONFIG_INVALID") {}

/** What a server output needs to run as one replica of many. */
export interface ClusterSettings {
  /** Forwarded calls are signed with it. */
  secret: string;
  /** Recorded in the leases this replica holds: where other replicas reach it. */
  address: string;
}

/**
 * Replicas sharing one store forward calls to each other when both are set:
 * `DOTDO_CLUSTER_SECRET` (the same on every replica; HMAC key of the internal calls) and
 * `DOTDO_ADVERTISE_URL` (this replica's internal base URL, e.g. `http://10.0.0.7:3000`; by
 * default what `fallbackAddress` guesses from the host's addresses). Neither: a
 * single replica, as before. An address without a secret is refused, so internal calls are
 * never unauthenticated.
 */
export function clusterEnv(env: Record<string, string | undefined>, fallbackAddress?: () => string | undefined): ClusterSettings | null {
  const secret = env.DOTDO_CLUSTER_SECRET?.trim();
  // Guessed only when needed: reading the host's addresses needs a permission on Deno.
  const address = env.DOTDO_ADVERTISE_URL?.trim() || (secret ? fallbackAddress?.() : undefined);
  if (!secret && !address) return null;
  if (!secret) throw new ClusterConfigError("DOTDO_ADVERTISE_URL is set but DOTDO_CLUSTER_SECRET is not: internal calls would be unauthenticated");
  if (!address) throw new ClusterConfigError("DOTDO_CLUSTER_SECRET is set but this replica's address is unknown: set DOTDO_ADVERTISE_URL");
  if (secret.length < 16) throw new ClusterConfigError("DOTDO_CLUSTER_SECRET must be at least 16 characters");
  if (!URL.canParse(address) || !/^https?:$/.test(new URL(address).protocol)) throw new ClusterConfigError(`DOTDO_ADVERTISE_URL=${JSON.stringify(address)} is not an http(s) URL`);
  return { secret, address };
}
