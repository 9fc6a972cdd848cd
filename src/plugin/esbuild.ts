import { mkdir, writeFile } from "node:fs/promises";
import type { BuildOptions, Plugin } from "esbuild";
import { dirname, join } from "pathe";
import { createDotdoCore, keepOriginalFilter, PLUGIN_NAME, type DotdoPluginOptions } from "./core";
import { setupModuleRules, setupNodeBuiltins } from "./esbuild-modules";
import { SQL_WASM_FILE, type TargetSpec } from "./targets";

/**
 * The esbuild plugin, written natively: unplugin's esbuild adapter puts every path a plugin
 * resolves into the plugin's namespace, which would load dotdo's runtime twice.
 */
export function dotdoEsbuild(options: DotdoPluginOptions = {}): Plugin {
  const core = createDotdoCore(options);
  return {
    name: PLUGIN_NAME,
    setup(build) {
      applyTargetOptions(build.initialOptions, core.spec);
      build.onStart(async () => {
        await core.project();
      });
      build.onResolve({ filter: /^(virtual:dotdo\/|cloudflare:|\.\/sql-wasm\.wasm\?module$)/ }, (args) => {
        const resolution = core.resolve(args.path, args.importer || undefined);
        if (resolution === null) return undefined;
        if ("virtual" in resolution) return { path: resolution.virtual, namespace: PLUGIN_NAME };
        if ("file" in resolution) return { path: resolution.file };
        return { path: resolution.external, external: true };
      });
      const keepOriginal = keepOriginalFilter(core.spec);
      if (keepOriginal) {
        build.onResolve({ filter: keepOriginal }, (args) => {
          const resolution = core.resolve(args.path, args.importer || undefined);
          return resolution && "file" in resolution ? { path: resolution.file } : undefined;
        });
      }
      // After dotdo's own resolution, so that its imports (the sql.js wasm) are never a rule's.
      // Node-platform targets resolve Node's modules (and have `require`) already.
      if (core.spec.platform !== "node") setupNodeBuiltins(build, core);
      setupModuleRules(build, core);
      build.onLoad({ filter: /.*/, namespace: PLUGIN_NAME }, async (args) => ({
        contents: await core.load(args.path),
        loader: "js",
        resolveDir: (await core.project()).root,
      }));
      build.onEnd(async (result) => {
        const { outdir, outfile } = build.initialOptions;
        const dir = outdir ?? (outfile === undefined ? undefined : dirname(outfile));
        const wasm = result.errors.length === 0 && dir !== undefined ? await core.wasmBytes() : undefined;
        if (wasm === undefined || dir === undefined) return;
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, SQL_WASM_FILE), wasm);
      });
    },
  };
}

export default dotdoEsbuild;

function applyTargetOptions(build: BuildOptions, spec: TargetSpec): void {
  build.bundle = true;
  build.format = "esm";
  build.platform = spec.platform;
  build.conditions = spec.conditions;
  build.mainFields = spec.platform === "node" ? ["module", "main"] : ["browser", "module", "main"];
  build.external = [...(build.external ?? []), ...spec.external];
  if (spec.banner) build.banner = { ...build.banner, js: [spec.banner, build.banner?.js].filter(Boolean).join("\n") };
}
