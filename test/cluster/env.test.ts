import { describe, expect, it } from "vitest";
import { ClusterConfigError, clusterEnv } from "../../src/runtime/cluster/env";
import { defaultAdvertiseUrl, peersFromEnv } from "../../src/runtime/platform/server-cluster";

const SECRET = "0123456789abcdef0123";

describe("cluster settings from the environment", () => {
  it("is a single replica with neither variable, and refuses half a configuration", () => {
    expect(clusterEnv({})).toBeNull();
    expect(() => clusterEnv({ DOTDO_ADVERTISE_URL: "http://10.0.0.7:3000" })).toThrow(ClusterConfigError);
    expect(() => clusterEnv({ DOTDO_CLUSTER_SECRET: "short", DOTDO_ADVERTISE_URL: "http://10.0.0.7:3000" })).toThrow(/16 characters/);
    expect(() => clusterEnv({ DOTDO_CLUSTER_SECRET: SECRET })).toThrow(/DOTDO_ADVERTISE_URL/);
    expect(() => clusterEnv({ DOTDO_CLUSTER_SECRET: SECRET, DOTDO_ADVERTISE_URL: "ftp://x" })).toThrow(/http/);
  });

  it("takes the advertised URL, or the platform entry's guess from the host's addresses", () => {
    expect(clusterEnv({ DOTDO_CLUSTER_SECRET: SECRET, DOTDO_ADVERTISE_URL: "http://10.0.0.7:3000" }, () => "http://other:1")).toEqual({ secret: SECRET, address: "http://10.0.0.7:3000" });
    expect(clusterEnv({ DOTDO_CLUSTER_SECRET: SECRET }, () => "http://10.0.0.8:3000")?.address).toBe("http://10.0.0.8:3000");
    // Without the secret the host's addresses are not even read (Deno asks a permission for it).
    expect(clusterEnv({}, () => { throw new Error("read"); })).toBeNull();
    expect(defaultAdvertiseUrl({ FLY_PRIVATE_IP: "fdaa:0:1::2", PORT: "8080" })).toBe("http://[fdaa:0:1::2]:8080");
    const guess = defaultAdvertiseUrl({ PORT: "3001" });
    if (guess !== undefined) expect(guess).toMatch(/^http:\/\/(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):3001$/);
  });

  it("lists the replicas from DOTDO_PEERS, or from a DNS name that resolves to each of them", async () => {
    expect(peersFromEnv({}, "3000")).toBeUndefined();
    expect(await peersFromEnv({ DOTDO_PEERS: "http://10.0.0.7:3000, http://10.0.0.8:3000" }, "3000")!()).toEqual(["http://10.0.0.7:3000", "http://10.0.0.8:3000"]);
    expect(() => peersFromEnv({ DOTDO_PEERS: "10.0.0.7:3000" }, "3000")).toThrow(ClusterConfigError);
    // The system resolver, as in a pod: `localhost` resolves to the loopback address(es).
    const resolved = await peersFromEnv({ DOTDO_PEERS_DNS: "localhost:4000" }, "3000")!();
    expect(resolved.length).toBeGreaterThan(0);
    for (const peer of resolved) expect(peer).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):4000$/);
    expect(await peersFromEnv({ FLY_APP_NAME: "localhost-not-an-app" }, "3000")!().catch((error: Error) => error.message)).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
