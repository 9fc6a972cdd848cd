import type { Nitro, NitroModule } from "nitropack/types";
import { declareBindings, entryExportsPlugin } from "./cloudflare";
import { allowSystemInfo } from "./deno";
import { resolveBindings, type DotdoNitroOptions } from "./options";
import { dotdoCodeDir, runtimePlugin } from "./paths";
import { objectsPlugin } from "./rollup";
import { exportsWorkerClasses, isCloudflarePreset, runtimeFor } from "./targets";

export type { DotdoNitroOptions, DurableObjectBindingOptions } from "./options";
export { UnsupportedNitroPresetError } from "./targets";

declare module "nitropack/types" {
  interface NitroOptions {
    /** Durable Object bindings for the server routes (`event.context.cloudflare.env`): see dotdo's docs/nitro.md. */
    dotdo?: DotdoNitroOptions;
  }
}

/**
 * The Nitro module: `modules: ["dotdo/nitro"]` with `dotdo: { durableObjects: { ... } }`.
 * Off Cloudflare the bound classes run on dotdo's runtime in the Nitro server itself; on the
 * cloudflare presets they run on workerd and Nitro's own handling is left as it is.
 */
const dotdo: NitroModule = {
  name: "dotdo",
  setup(nitro: Nitro) {
    const bindings = resolveBindings(nitro.options.dotdo, nitro.options.rootDir);
    const preset = nitro.options.preset;
    if (isCloudflarePreset(preset)) {
      if (!exportsWorkerClasses(preset)) return;
      declareBindings(nitro, bindings);
      nitro.hooks.hook("rollup:before", (_nitro, config) => {
        config.plugins = [entryExportsPlugin(bindings), ...toArray(config.plugins)];
      });
      return;
    }
    const runtime = runtimeFor(preset);
    nitro.options.plugins.push(runtimePlugin(runtime === "vercel-edge" ? "edge" : "server"));
    // Bundled, not left in node_modules: the runtime plugins import a module only the build has.
    nitro.options.externals = { ...nitro.options.externals, inline: [...(nitro.options.externals?.inline ?? []), dotdoCodeDir()] };
    if (runtime === "deno") nitro.hooks.hook("compiled", allowSystemInfo);
    nitro.hooks.hook("rollup:before", (_nitro, config) => {
      // First, so that `cloudflare:*` resolves here before Nitro's externals look at it.
      config.plugins = [objectsPlugin(bindings, runtime), ...toArray(config.plugins)];
    });
  },
};

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export default dotdo;
