import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQL_WASM_FILE } from "../../src/plugin/targets";
import { RUNTIME_ENV } from "../../src/presets/vercel-edge/templates/build-output";
import { buildInProject, type BuiltProject } from "./helpers/project";

const built: Record<string, BuiltProject> = {};
// Vercel's Edge Function limit after gzip on the Hobby plan (Pro 2 MB, Enterprise 4 MB).
const EDGE_FUNCTION_GZIP_LIMIT = 1024 * 1024;

beforeAll(async () => {
  for (const preset of ["vercel-edge", "vercel"]) built[preset] = await buildInProject(preset);
});
afterAll(() => Object.values(built).forEach((project) => project.remove()));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => join(dir, file)).filter((file) => statSync(file).isFile());
}

/**
 * Vercel uploads each `.func` directory on its own: everything the entrypoint imports must resolve
 * inside it. esbuild's resolver follows the imports (comments and strings are not mistaken for them).
 */
async function expectSelfContained(funcDir: string, entry: string): Promise<void> {
  const { metafile } = await build({
    absWorkingDir: funcDir,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    logLevel: "silent",
    // Wasm imported as a compiled module is resolved by Vercel at deploy time: checked by name below.
    external: ["*.wasm?module"],
  });
  const outside = Object.keys(metafile.inputs).filter((input) => input.startsWith("../") || input.startsWith("/"));
  expect(outside).toEqual([]);
  const wasmImports = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && i.path.endsWith(".wasm?module")));
  for (const { path } of wasmImports) expect(existsSync(resolve(funcDir, path.replace(/\?module$/, ""))), path).toBe(true);
}

describe.each(["vercel-edge", "vercel"])("%s preset: Build Output API v3", (preset) => {
  it("writes .vercel/output under the project with a config.json whose every route lands on a function that exists", () => {
    const project = built[preset]!;
    expect(project.build.outDir).toBe(join(project.root, ".vercel/output"));
    const config = project.json("config.json");
    expect(config.version).toBe(3);
    const destinations = (config.routes as { dest?: string }[]).flatMap((route) => (route.dest ? [route.dest] : []));
    expect(destinations.length).toBeGreaterThan(0);
    for (const dest of destinations) expect(existsSync(project.path(`functions${dest}.func/.vc-config.json`)), dest).toBe(true);
  });

  it("keeps each function directory self-contained", async () => {
    await expectSelfContained(built[preset]!.path("functions/index.func"), "index.mjs");
  });
});

describe("vercel-edge preset", () => {
  it("declares an edge function whose entrypoint exists, with the storage settings and the Worker's vars in envVarsInUse", () => {
    const project = built["vercel-edge"]!;
    const vc = project.json("functions/index.func/.vc-config.json");
    expect(vc.runtime).toBe("edge");
    expect(existsSync(project.path(`functions/index.func/${vc.entrypoint}`))).toBe(true);
    expect(vc.envVarsInUse).toEqual(expect.arrayContaining([...RUNTIME_ENV, ...Object.keys(project.build.project.vars)]));
  });

  it("fits Vercel's Edge Function size limit after gzip", () => {
    const funcDir = built["vercel-edge"]!.path("functions/index.func");
    const gzipped = filesUnder(funcDir).reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
    expect(gzipped).toBeLessThan(EDGE_FUNCTION_GZIP_LIMIT);
  });
});

describe("vercel preset", () => {
  it("declares a Node.js function (a current nodejsNN.x runtime) whose handler exists", () => {
    const project = built.vercel!;
    const vc = project.json("functions/index.func/.vc-config.json");
    const [, major] = /^nodejs(\d+)\.x$/.exec(vc.runtime) ?? [];
    expect(Number(major)).toBeGreaterThanOrEqual(20);
    expect(vc.launcherType).toBe("Nodejs");
    expect(existsSync(project.path(`functions/index.func/${vc.handler}`))).toBe(true);
    // The Node bundle reads the sql.js wasm from beside itself at start.
    expect(existsSync(project.path(`functions/index.func/${SQL_WASM_FILE}`))).toBe(true);
  });
});
