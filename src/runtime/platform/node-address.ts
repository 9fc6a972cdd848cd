import { networkInterfaces } from "node:os";

/**
 * The URL other replicas can reach this server at, when `DOTDO_ADVERTISE_URL` does not say:
 * fly.io's private IPv6 (`FLY_PRIVATE_IP`), else the first IPv4 address that is not loopback
 * (a pod's or a Compose container's), else the first global IPv6 one.
 */
export function defaultAdvertiseUrl(env: Record<string, string | undefined>): string | undefined {
  const port = env.PORT?.trim() || "3000";
  if (env.FLY_PRIVATE_IP) return `http://[${env.FLY_PRIVATE_IP}]:${port}`;
  const addresses = Object.values(networkInterfaces()).flat().filter((address) => address !== undefined && !address.internal);
  const v4 = addresses.find((address) => address!.family === "IPv4");
  if (v4) return `http://${v4.address}:${port}`;
  const v6 = addresses.find((address) => address!.family === "IPv6" && !address!.address.startsWith("fe80"));
  return v6 ? `http://[${v6.address}]:${port}` : undefined;
}
