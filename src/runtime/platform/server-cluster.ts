import { lookup } from "node:dns/promises";
import { networkInterfaces } from "node:os";
import { ClusterConfigError, clusterEnv } from "../cluster/env";
import { Membership } from "../cluster/membership";
import { HEALTH_PATH } from "./routes";

type Env = Record<string, string | undefined>;

/** What a server entry passes on: to `createWorker` and to the persistence lifecycle. */
export interface ServerCluster {
  worker: { secret: string; membership: Membership };
  lifecycle: { address: string; holderGone: (address: string) => Promise<boolean> };
}

/**
 * A server replica's cluster settings from its environment (see `clusterEnv`). Holders are
 * probed for failure detection; placement uses the platform's list of replicas when one is
 * known: `DOTDO_PEERS` (base URLs), `DOTDO_PEERS_DNS` (a name that resolves to every replica:
 * a Kubernetes headless Service, a Compose service), else fly.io's `{FLY_APP_NAME}.internal`
 * or Render's `RENDER_DISCOVERY_SERVICE`. Null for a single replica.
 */
export function serverCluster(env: Env): ServerCluster | null {
  const settings = clusterEnv(env, () => defaultAdvertiseUrl(env));
  if (!settings) return null;
  const { secret, address } = settings;
  const peers = peersFromEnv(env, new URL(address).port || "80");
  const membership = new Membership({ self: address, probe: answersHealth, ...(peers && { peers }) });
  return { worker: { secret, membership }, lifecycle: { address, holderGone: (holder) => membership.gone(holder) } };
}

/**
 * The URL other replicas can reach this server at, when `DOTDO_ADVERTISE_URL` does not say:
 * fly.io's private IPv6 (`FLY_PRIVATE_IP`), else the first IPv4 address that is not loopback
 * (a pod's or a Compose container's), else the first global IPv6 one.
 */
export function defaultAdvertiseUrl(env: Env): string | undefined {
  const port = env.PORT?.trim() || "3000";
  if (env.FLY_PRIVATE_IP) return `http://[${env.FLY_PRIVATE_IP}]:${port}`;
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch (error) {
    // Deno without --allow-sys=networkInterfaces, say.
    throw new ClusterConfigError(`this replica's address is unknown: set DOTDO_ADVERTISE_URL (the host's network addresses cannot be read: ${(error as Error).message})`, { cause: error });
  }
  const addresses = Object.values(interfaces).flat().filter((address) => address !== undefined && !address.internal);
  const v4 = addresses.find((address) => address!.family === "IPv4");
  if (v4) return `http://${v4.address}:${port}`;
  const v6 = addresses.find((address) => address!.family === "IPv6" && !address!.address.startsWith("fe80"));
  return v6 ? `http://[${v6.address}]:${port}` : undefined;
}

/** Where the list of replicas comes from, per the variables above; undefined when none says. */
export function peersFromEnv(env: Env, port: string): (() => Promise<string[]>) | undefined {
  const list = env.DOTDO_PEERS?.trim();
  if (list) {
    const peers = list.split(",").map((peer) => peer.trim()).filter(Boolean);
    const bad = peers.find((peer) => !URL.canParse(peer) || !/^https?:$/.test(new URL(peer).protocol));
    if (bad !== undefined) throw new ClusterConfigError(`DOTDO_PEERS: ${JSON.stringify(bad)} is not an http(s) URL`);
    return () => Promise.resolve(peers);
  }
  const dns = env.DOTDO_PEERS_DNS?.trim() || (env.FLY_APP_NAME ? `${env.FLY_APP_NAME}.internal` : env.RENDER_DISCOVERY_SERVICE?.trim());
  if (!dns) return undefined;
  const [, name, dnsPort] = /^(.+?)(?::(\d+))?$/.exec(dns)!;
  return () => resolvePeers(name!, dnsPort ?? port);
}

/** Every address the name resolves to (A and AAAA records), as base URLs. */
async function resolvePeers(name: string, port: string): Promise<string[]> {
  const addresses = await lookup(name, { all: true });
  return addresses.map(({ address, family }) => (family === 6 ? `http://[${address}]:${port}` : `http://${address}:${port}`));
}

async function answersHealth(address: string): Promise<boolean> {
  const response = await fetch(new URL(HEALTH_PATH, address), { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}
