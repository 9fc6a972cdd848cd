import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite } from "./harness/behaviour";
import { edgeScript, FUNCTION_DIR, startEdgeInstance, type EdgeInstance } from "./harness/edge-runtime";
import { buildFixture, type BuiltOutput } from "./harness/outputs";

let output: BuiltOutput;
let bundle: string;
let instance: EdgeInstance;

/** Vercel's limit for an edge function: 1 MB gzipped, code and wasm together. */
const EDGE_LIMIT_BYTES = 1024 * 1024;

/** Every file of the function (index.mjs, its chunks, the wasm), with its contents. */
function functionFiles(): Array<{ name: string; bytes: Buffer }> {
  const dir = join(output.copy, FUNCTION_DIR);
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => /\.(mjs|wasm)$/.test(name))
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

beforeAll(async () => {
  output = await buildFixture("vercel-edge");
  const functionDir = join(output.copy, FUNCTION_DIR);
  bundle = readFileSync(join(functionDir, "index.mjs"), "utf8");
  // memory: chosen explicitly; stores that outlive the isolate are in edge-persistence.test.ts.
  instance = await startEdgeInstance(functionDir, await edgeScript(functionDir), { DOTDO_STORAGE: "memory:" });
});

afterAll(async () => {
  await instance?.close();
  output?.remove();
});

describe("vercel-edge preset, run in edge-runtime", () => {
  it("writes the Build Output API v3 layout with an edge function", () => {
    expect(JSON.parse(output.read("config.json"))).toMatchObject({ version: 3 });
    expect(JSON.parse(output.read(`${FUNCTION_DIR}/.vc-config.json`))).toMatchObject({ runtime: "edge", entrypoint: "index.mjs" });
    expect(readdirSync(join(output.copy, FUNCTION_DIR)).sort()).toEqual([".vc-config.json", "chunks", "index.mjs", "sql-wasm.wasm"]);
  });

  it("imports the wasm statically and never compiles wasm from bytes itself", () => {
    expect(bundle).toMatch(/^import \w+ from "\.\/sql-wasm\.wasm\?module";$/m);
    expect(bundle).not.toContain("WebAssembly.compile(");
    expect(bundle).not.toMatch(/readFile|node:fs/);
    // Besides the wasm, the function imports only its own chunks (the S3 client, loaded when chosen).
    expect(bundle).not.toMatch(/^import .* from "(?!\.\/sql-wasm\.wasm\?module|\.\/chunks\/)/m);
  });

  it("bundles no node: module and no file store, only stores reached with fetch", () => {
    const code = functionFiles().filter((file) => file.name.endsWith(".mjs"));
    expect(code.map((file) => file.name)).toContain("index.mjs");
    for (const { name, bytes } of code) {
      const text = bytes.toString("utf8");
      expect(text, name).not.toMatch(/(from\s*|import\s*\(\s*|require\s*\(\s*)["']node:/);
      expect(text, name).not.toContain("WebAssembly.compile(");
      // The file backend's reserved folder: present in any bundle that carries it.
      expect(text, name).not.toContain(".dotdo-store");
      // Edge runtimes have no DOMParser: the AWS SDK's plain-JavaScript XML parser is bundled instead.
      expect(text, name).not.toContain("new DOMParser");
    }
    // The S3 client is its own chunk, loaded only when DOTDO_STORAGE=s3://… picks it.
    expect(code.some((file) => file.name.startsWith("chunks/") && file.bytes.toString("utf8").includes("ListObjectsV2"))).toBe(true);
    expect(bundle).not.toContain("ListObjectsV2");
  });

  it("fits Vercel's 1 MB gzipped limit for an edge function, S3 client included", () => {
    const gzipped = functionFiles().reduce((sum, file) => sum + gzipSync(file.bytes).length, 0);
    expect(gzipped).toBeLessThan(EDGE_LIMIT_BYTES);
  });

  behaviourSuite("vercel-edge", () => instance.fetch);
});
