import { join, resolve } from "pathe";
import { describe, expect, it } from "vitest";
import { DENO_PERMISSIONS } from "../../src/presets/deno/templates/deno-json";
import { startServer } from "./harness/process";
import { describeServerPreset } from "./harness/server-preset";

const deno = resolve(import.meta.dirname, "../../node_modules/.bin/deno");

const entry = join("server", "index.mjs");

describeServerPreset({
  preset: "deno",
  command: (entry) => ({ command: deno, args: ["run", ...DENO_PERMISSIONS, entry] }),
  extend: (output) =>
    describe("as a replica of a cluster", () => {
      const cluster = (store: string) => ({ DOTDO_STORAGE: `file:${join(output().copy, store)}`, DOTDO_CLUSTER_SECRET: "a-shared-secret-for-the-test-cluster" });

      it("advertises an address read from the host's network interfaces with the preset's permissions", async () => {
        const server = await startServer(deno, ["run", ...DENO_PERMISSIONS, entry], output().copy, cluster("granted"));
        try {
          const answer = await fetch(`${server.url}/counter/replica?by=2`, { method: "POST" });
          expect(await answer.json(), server.output()).toEqual({ value: 2 });
        } finally {
          await server.stop();
        }
      });

      it("refuses to start, naming DOTDO_ADVERTISE_URL, where it may not read them", async () => {
        const permissions = DENO_PERMISSIONS.map((flag) => (flag.startsWith("--allow-sys=") ? "--allow-sys=hostname,osRelease" : flag));
        const start = startServer(deno, ["run", ...permissions, entry], output().copy, cluster("refused"));
        await expect(start).rejects.toThrow(/exited with 1:.*ClusterConfigError: .*set DOTDO_ADVERTISE_URL.*networkInterfaces/s);
      });
    }),
});
