import { readdirSync } from "node:fs";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite } from "./harness/behaviour";
import { buildFixture, type BuiltOutput } from "./harness/outputs";
import { startServer, type RunningServer } from "./harness/process";

const FUNCTION_DIR = "functions/index.func";
const launcher = resolve(import.meta.dirname, "harness/web-handler-launcher.mjs");

let output: BuiltOutput;
let server: RunningServer;

beforeAll(async () => {
  output = await buildFixture("vercel");
  server = await startServer(process.execPath, [launcher, join(FUNCTION_DIR, "index.mjs")], output.copy);
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
});
