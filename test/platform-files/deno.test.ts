import { resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_PATH } from "../../src/plugin/targets";
import { startServer } from "../presets/harness/process";
import { buildInProject, type BuiltProject } from "./helpers/project";
import { runTool } from "./helpers/tools";

const deno = resolve(import.meta.dirname, "../../node_modules/.bin/deno");
let built: BuiltProject;

beforeAll(async () => {
  built = await buildInProject("deno");
});
afterAll(() => built?.remove());

// Bun's preset writes no platform file (only the bundle), so there is nothing of it to check here.
describe("deno preset: deno.json", () => {
  it("is read by deno itself, which lists the start task", () => {
    const result = runTool(deno, ["task"], { cwd: built.build.outDir, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/^- start$/m);
  });

  it("has a start task whose permissions are enough to serve the health path, and which stops cleanly on SIGTERM", async () => {
    const server = await startServer(deno, ["task", "start"], built.build.outDir, { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" });
    try {
      expect((await fetch(`${server.url}${HEALTH_PATH}`)).status, server.output()).toBe(200);
    } finally {
      // `deno task` runs the server as its child: signal the whole group, as a process manager would.
      process.kill(-server.child.pid!, "SIGTERM");
      expect(await server.stop(), server.output()).toBe(0);
    }
  });
});
