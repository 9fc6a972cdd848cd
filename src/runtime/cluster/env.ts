import { errorWithCode } from "../errors";

/** The cluster settings in the environment do not go together. */
export class ClusterConfigError extends errorWithCode("CLUSTER_CONFIG_INVALID") {}

/** What a server output needs to run as one replica of many. */
export interface ClusterSettings {
  /** For `createWorker`: forwarded calls are signed with it. */
  cluster: { secret: string };
  /** For the persistence lifecycle: recorded in the leases this replica holds. */
  address: string;
}

/**
 * Replicas sharing one store forward calls to each other when both are set:
 * `DOTDO_CLUSTER_SECRET` (the same on every replica; HMAC key of the internal calls) and
 * `DOTDO_ADVERTISE_URL` (this replica's internal base URL, e.g. `http://10.0.0.7:3000`).
 * Neither: a single replica, as before. One without the other is refused, so a replica never
 * runs half-configured.
 */
export function clusterEnv(env: Record<string, string | undefined>): ClusterSettings | null {
  const secret = env.DOTDO_CLUSTER_SECRET?.trim();
  const address = env.DOTDO_ADVERTISE_URL?.trim();
  if (!secret && !address) return null;
  if (!secret) throw new ClusterConfigError("DOTDO_ADVERTISE_URL is set but DOTDO_CLUSTER_SECRET is not: internal calls would be unauthenticated");
  if (!address) throw new ClusterConfigError("DOTDO_CLUSTER_SECRET is set but DOTDO_ADVERTISE_URL is not: other replicas could not reach this one");
  if (secret.length < 16) throw new ClusterConfigError("DOTDO_CLUSTER_SECRET must be at least 16 characters");
  if (!URL.canParse(address) || !/^https?:$/.test(new URL(address).protocol)) throw new ClusterConfigError(`DOTDO_ADVERTISE_URL=${JSON.stringify(address)} is not an http(s) URL`);
  return { cluster: { secret }, address };
}
