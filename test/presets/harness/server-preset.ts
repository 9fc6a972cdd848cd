import { existsSync } from "node:fs";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite } from "./behaviour";
import { buildFixture, type BuiltOutput } from "./outputs";
import { startServer, type RunningServer } from "./process";

export interface ServerPreset {
  preset: string;
  /** How the runtime starts the bundle, run in the copied output directory. */
  command: (serverEntry: string) => { command: string; args: string[] };
}

/**
 * Builds `preset`, starts its server from a copy of the output directory (no node_modules
 * anywhere above it), runs the behaviour suite against it, and checks the server's lifecycle.
 */
export function describeServerPreset({ preset, command }: ServerPreset): void {
  describe(`${preset} preset, run as a process from a copy of its output`, () => {
    let output: BuiltOutput;
    let server: RunningServer;

    beforeAll(async () => {
      output = await buildFixture(preset);
      const { command: bin, args } = command(join("server", "index.mjs"));
      server = await startServer(bin, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
    });

    afterAll(async () => {
      await server?.stop();
      output?.remove();
    });

    it("ships the bundle and the sql.js wasm side by side, nothing else in server/", () => {
      expect(existsSync(join(output.copy, "server/index.mjs"))).toBe(true);
      expect(existsSync(join(output.copy, "server/sql-wasm.wasm"))).toBe(true);
      expect(output.manifest).toMatchObject({ preset, entry: "server/index.mjs" });
    });

    it("answers the health endpoint", async () => {
      const response = await fetch(`${server.url}/__dotdo/health`);
      expect(response.status).toBe(200);
    });

    behaviourSuite(preset, () => (path, init) => fetch(`${server.url}${path}`, init));

    it("shuts down cleanly on SIGTERM", async () => {
      expect(await server.stop(), server.output()).toBe(0);
    });
  });
}
