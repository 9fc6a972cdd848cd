import { readdirSync } from "node:fs";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite } from "./harness/behaviour";
import { FUNCTION_DIR } from "./harness/edge-runtime";
import { buildFixture, type BuiltOutput } from "./harness/outputs";
import { startServer, type RunningServer } from "./harness/process";

const launcher = resolve(import.meta.dirname, "harness/web-handler-launcher.mjs");

let output: BuiltOutput;
let server: RunningServer;
let storage: Record<string, string>;

/** A new function instance, as Vercel starts one: the same output and environment, a fresh process. */
const instance = (env: Record<string, string>) => startServer(process.execPath, [launcher, join(FUNCTION_DIR, "index.mjs")], output.copy, env);

beforeAll(async () => {
  output = await buildFixture("vercel");
  // A folder beside the output stands in for object storage: functions have no lasting disk.
  storage = { DOTDO_STORAGE: `file:${join(output.copy, "..", "state")}` };
  server = await instance(storage);
});

afterAll(async () => {
  await server?.stop();
  output?.remove();
});

describe("vercel preset (Node.js runtime), its function called as Vercel's launcher calls it", () => {
  it("writes a Node.js function in the Build Output API v3 layout, with its wasm beside it", () => {
    expect(JSON.parse(output.read("config.json"))).toMatchObject({ version: 3 });
    expect(JSON.parse(output.read(`${FUNCTION_DIR}/.vc-config.json`))).toMatchObject({ runtime: "nodejs22.x", handler: "index.mjs", launcherType: "Nodejs" });
    expect(readdirSync(join(output.copy, FUNCTION_DIR)).sort()).toEqual([".vc-config.json", "chunks", "index.mjs", "sql-wasm.wasm"]);
  });

  it("exports the Worker as web-standard { fetch } and listens on no port itself", () => {
    const bundle = output.read(`${FUNCTION_DIR}/index.mjs`);
    expect(bundle).toMatch(/export \{\s*\w+ as default\s*\};?\s*$/);
    expect(bundle).not.toMatch(/\.listen\(|process\.env\.PORT/);
  });

  behaviourSuite("vercel", () => (path, init) => fetch(`${server.url}${path}`, init));

  it("stores each request's writes before answering: another instance reads them at once", async () => {
    expect(await (await fetch(`${server.url}/counter/kept?by=7`, { method: "POST" })).json()).toEqual({ value: 7 });
    const other = await instance(storage);
    try {
      expect(await (await fetch(`${other.url}/counter/kept`)).json()).toMatchObject({ value: 7 });
      expect(await (await fetch(`${other.url}/counter/kept?by=1`, { method: "POST" })).json()).toEqual({ value: 8 });
      expect(await (await fetch(`${server.url}/counter/kept`)).json()).toMatchObject({ value: 8 });
    } finally {
      await other.stop();
    }
  });

  it("answers 500 naming the settings when no storage is configured, and logs why", async () => {
    const bare = await instance({});
    try {
      const response = await fetch(`${bare.url}/counter/nowhere`);
      expect(response.status).toBe(500);
      expect(await response.text()).toMatch(/no storage is configured.*JWT_TOKEN \+ DOTDO_GATEWAY_URL.*DOTDO_STORAGE=s3:\/\//s);
      // The log line may reach the pipe just after the response did.
      await expect.poll(() => bare.output()).toContain("StorageNotConfiguredError");
    } finally {
      await bare.stop();
    }
  });
});
