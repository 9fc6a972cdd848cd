import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../presets/harness/process";

const viteApp = resolve(import.meta.dirname, "../fixtures/vite-app");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-vite-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The fixture's config imports the plugin from source without extensions, which Vite's
// future native config loader would warn about; users import the built `dotdo/vite`.
process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING = "true";

/** What the fixture's .html (Text) and .wasm (CompiledWasm) imports give. */
const RULED = { banner: "<b>vite</b>\n", sum: 5 };

/** Runs a real Vite build of the fixture's plain vite.config.ts for `preset`. */
async function viteBuild(preset: string): Promise<string> {
  const outDir = join(scratch, preset);
  process.env.DOTDO_PRESET = preset;
  try {
    await build({ root: viteApp, configFile: join(viteApp, "vite.config.ts"), logLevel: "silent", build: { outDir, emptyOutDir: true } });
  } finally {
    delete process.env.DOTDO_PRESET;
  }
  return outDir;
}

describe("the plugin in a plain vite.config.ts", () => {
  it("builds a Cloudflare Worker that workerd runs, with the DO class exported and cloudflare:workers left to workerd", async () => {
    const outDir = await viteBuild("cloudflare");
    // The .wasm module stays a file beside the bundle, for workerd to compile.
    expect(readdirSync(outDir).sort()).toEqual([expect.stringMatching(/^[0-9a-f]{12}-add\.wasm$/), "index.mjs"]);
    const mf = new Miniflare({
      modules: true,
      modulesRoot: outDir,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      scriptPath: join(outDir, "index.mjs"),
      compatibilityDate: "2025-09-01",
      bindings: { SITE: "vite fixture" },
      durableObjects: { VISITS: { className: "Visits", useSQLite: true } },
    });
    try {
      const visit = async () => (await mf.dispatchFetch("http://vite.test/home")).json();
      expect(await visit()).toEqual({ site: "vite fixture", page: "/home", visits: 1, ...RULED });
      expect(await visit()).toEqual({ site: "vite fixture", page: "/home", visits: 2, ...RULED });
    } finally {
      await mf.dispose();
    }
  });

  it("builds a Node server that runs from a copy of the output, with the wasm emitted beside it", async () => {
    const outDir = await viteBuild("node");
    expect(readdirSync(outDir)).toEqual(expect.arrayContaining(["index.mjs", "sql-wasm.wasm"]));
    const copy = join(scratch, "node-copy");
    cpSync(outDir, copy, { recursive: true });
    const server = await startServer(process.execPath, ["index.mjs"], copy, { DOTDO_STORAGE: `file:${join(copy, "state")}` });
    try {
      const visit = async () => (await fetch(`${server.url}/home`)).json();
      expect(await visit()).toEqual({ site: "vite fixture", page: "/home", visits: 1, ...RULED });
      expect(await visit()).toEqual({ site: "vite fixture", page: "/home", visits: 2, ...RULED });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
