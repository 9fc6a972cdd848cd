import { isAbsolute } from "pathe";
import { createUnplugin, type UnpluginInstance } from "unplugin";
import { createDotdoCore, PLUGIN_NAME, type DotdoPluginOptions } from "./core";
import { ENTRY_ID, VIRTUAL_IDS } from "./entry";
import { SQL_WASM_FILE } from "./targets";
import { unpluginRules } from "./unplugin-rules";

export { dotdoEsbuild } from "./esbuild";
export type { DotdoPluginOptions } from "./core";

/**
 * The plugin for Vite and Rollup: `virtual:dotdo/entry` is the bundle's entry,
 * `cloudflare:workers` is dotdo's runtime off Cloudflare, and the sql.js wasm is written next
 * to the bundle.
 */
export const dotdo: UnpluginInstance<DotdoPluginOptions | undefined, false> = createUnplugin((options = {}) => {
  const core = createDotdoCore(options);
  const { spec } = core;
  const rules = unpluginRules(core);
  return {
    name: PLUGIN_NAME,
    enforce: "pre",

    async buildStart() {
      await core.project();
      const source = await core.wasmBytes();
      if (source) this.emitFile({ type: "asset", fileName: SQL_WASM_FILE, source });
    },

    resolveId(id, importer) {
      // The virtual modules import by absolute path, which some bundlers cannot resolve from them.
      if (importer !== undefined && VIRTUAL_IDS.includes(importer) && isAbsolute(id)) return id;
      const resolution = core.resolve(id, importer);
      if (resolution === null) return rules.resolveId(this, id, importer);
      if ("virtual" in resolution) return resolution.virtual;
      if ("file" in resolution) return resolution.file;
      return { id: resolution.external, external: true };
    },

    loadInclude: (id) => VIRTUAL_IDS.includes(id) || rules.includes(id),
    load: (id) => (rules.includes(id) ? rules.load(id) : core.load(id)),

    vite: {
      config(config) {
        return {
          resolve: { conditions: spec.conditions },
          ssr: {
            noExternal: true,
            target: spec.platform === "node" ? "node" : "webworker",
            resolve: { conditions: spec.conditions, externalConditions: spec.conditions },
          },
          build: {
            ssr: true,
            // The sql.js wasm is an asset the server reads at start: SSR builds drop assets by default.
            ssrEmitAssets: true,
            target: "es2022",
            rollupOptions: {
              input: config.build?.rollupOptions?.input ?? ENTRY_ID,
              output: { format: "es", entryFileNames: "index.mjs", ...(spec.banner ? { banner: spec.banner } : {}) },
            },
          },
        };
      },
    },
  };
});
