import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type S3TestServer } from "../helpers/s3";
import { edgeScript, startEdgeInstance, type EdgeInstance } from "../presets/harness/edge-runtime";
import { buildNitroApp, counterFlow, counterSurvived, json, type NitroOutput } from "./harness";

/** Where Nitro's vercel-edge preset puts its one edge function. */
const FUNCTION_DIR = "functions/__fallback.func";

/**
 * The Node modules Vercel Edge provides and Nitro's vercel-edge bundle imports (Nitro's
 * `builtnNodeModules` for Vercel): edge-runtime has none, so the test glue supplies unenv's
 * implementations, the ones Nitro itself uses where a platform has no Node modules.
 */
const require = createRequire(import.meta.url);
const VERCEL_NODE_MODULES = Object.fromEntries(["buffer", "events", "util", "util/types", "async_hooks", "assert"].map((name) => [`node:${name}`, require.resolve(`unenv/node/${name}`)]));

let output: NitroOutput;
let functionDir: string;
let script: string;
let s3: S3TestServer;
const instances: EdgeInstance[] = [];

/** A new edge isolate (as Vercel starts one) running the function with `env`. */
async function isolate(env: Record<string, string>): Promise<EdgeInstance> {
  const instance = await startEdgeInstance(functionDir, script, env);
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  [output, s3] = await Promise.all([buildNitroApp("vercel-edge"), startS3()]);
  functionDir = join(output.dir, FUNCTION_DIR);
  script = await edgeScript(functionDir, VERCEL_NODE_MODULES);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await s3?.close();
  output?.remove();
});

describe("Nitro vercel-edge: Durable Objects in server routes, run in edge-runtime", () => {
  it("ships the function with the sql.js wasm beside it, imported for the platform to compile", () => {
    // (and Nitro's source map of it)
    expect(readdirSync(functionDir).filter((name) => !name.endsWith(".map")).sort()).toEqual([".vc-config.json", "index.mjs", "sql-wasm.wasm"]);
    const bundle = readFileSync(join(functionDir, "index.mjs"), "utf8");
    expect(bundle).toMatch(/from\s*["']\.\/sql-wasm\.wasm\?module["']/);
    expect(bundle).not.toContain("WebAssembly.compile(");
    // Only the Node modules Vercel Edge provides: the AWS SDK is its browser build, not its Node one.
    // (Imports, static or dynamic, and requires: a string that only names a module is no import.)
    const nodeImports = new Set([...bundle.matchAll(/(?:\bfrom|\bimport\s*\(|\brequire\s*\()\s*["'](node:[\w/]+)["']/g)].map((match) => match[1]));
    expect(nodeImports.size).toBeGreaterThan(0); // the pattern finds the imports there are
    expect([...nodeImports].every((name) => name !== undefined && name in VERCEL_NODE_MODULES), [...nodeImports].join()).toBe(true);
  });

  it("keeps state in S3 across requests and in a cold isolate", async () => {
    const env = {
      DOTDO_STORAGE: `s3://${s3.bucket}/nitro`,
      R2_ENDPOINT: s3.endpoint,
      R2_ACCESS_KEY_ID: s3.accessKeyId,
      R2_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const first = await isolate(env);
    expect(await json(first.fetch, "/runtime")).toEqual({ runtime: "edge-runtime" });
    await counterFlow(first.fetch, "edge", () => first.errors().join("\n"));
    const cold = await isolate(env);
    await counterSurvived(cold.fetch, "edge", () => cold.errors().join("\n"));
    // No isolate keeps an object between requests: the first one sees the cold one's write.
    expect(await json(first.fetch, "/counter/edge")).toEqual({ value: 15 });
    expect([...first.errors(), ...cold.errors()]).toEqual([]);
  });

  it("fails a route that uses a binding when no storage is configured, naming the settings", async () => {
    const instance = await isolate({});
    const response = await instance.fetch("/counter/nowhere");
    expect(response.status).toBe(500);
    expect(instance.errors().join("\n")).toMatch(/no storage is configured[\s\S]*DOTDO_STORAGE/);
  });
});
