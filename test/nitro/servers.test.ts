import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../presets/harness/process";
import { buildNitroApp, counterFlow, counterSurvived, json, type NitroOutput } from "./harness";

const bin = (name: string) => resolve(import.meta.dirname, "../../node_modules/.bin", name);

interface ServerPreset {
  preset: string;
  runtime: string;
  /** How the output starts, from its directory: Nitro's own preview command for the preset. */
  command(output: NitroOutput): { command: string; args: string[] };
}

const PRESETS: ServerPreset[] = [
  { preset: "node-server", runtime: "node", command: () => ({ command: process.execPath, args: ["server/index.mjs"] }) },
  { preset: "bun", runtime: "bun", command: () => ({ command: bin("bun"), args: ["run", "server/index.mjs"] }) },
  {
    preset: "deno-server",
    runtime: "deno",
    // The start task Nitro writes into deno.json (`deno run <permissions and flags> ./server/index.mjs`).
    command: (output) => {
      const task = (JSON.parse(readFileSync(join(output.dir, "deno.json"), "utf8")) as { tasks: { start: string } }).tasks.start;
      const [deno, ...args] = task.split(/\s+/);
      expect(deno).toBe("deno");
      return { command: bin("deno"), args };
    },
  },
];

for (const { preset, runtime, command } of PRESETS) {
  describe(`Nitro ${preset}: Durable Objects in server routes, run on ${runtime}`, () => {
    let output: NitroOutput;
    let server: RunningServer;
    const start = () => {
      const { command: bin, args } = command(output);
      return startServer(bin, args, output.dir, { DOTDO_STORAGE: `file:${join(output.dir, "state")}` }, undefined, "/runtime");
    };
    const fetchApp = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    /** Objects in the file store with an Iceberg checkpoint (`snapshots/latest`). */
    const checkpointed = () => {
      const objects = join(output.dir, "state/do");
      return readdirSync(objects).filter((id) => existsSync(join(objects, id, "snapshots/latest"))).length;
    };

    beforeAll(async () => {
      output = await buildNitroApp(preset);
      server = await start();
    });

    afterAll(async () => {
      await server?.stop();
      output?.remove();
    });

    it(`runs on ${runtime}, with the sql.js wasm next to the server entry`, async () => {
      expect(await json(fetchApp, "/runtime")).toEqual({ runtime });
      expect(readFileSync(join(output.dir, "server/sql-wasm.wasm")).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    });

    it("keeps a counter object's SQL and KV state across requests", async () => {
      await counterFlow(fetchApp, "flow", server.output);
    });

    it("checkpoints on SIGTERM, and a restarted server restores the object from DOTDO_STORAGE", async () => {
      await counterFlow(fetchApp, "restart", server.output);
      const before = checkpointed();
      expect(await server.stop(), server.output()).toBe(0);
      expect(checkpointed()).toBeGreaterThan(before);
      server = await start();
      await counterSurvived(fetchApp, "restart", server.output);
    });
  });
}
