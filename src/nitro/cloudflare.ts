import { existsSync } from "node:fs";
import type { Nitro } from "nitropack/types";
import type { Plugin } from "rollup";
import { join } from "pathe";
import type { ResolvedBinding } from "./options";

/** The wrangler files Nitro's cloudflare presets read from the project root. */
const WRANGLER_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/**
 * On Nitro's cloudflare presets workerd runs the objects and Nitro passes the bindings
 * (`event.context.cloudflare.env`) itself. What Nitro lacks is exporting the classes from the
 * Worker's entry, where wrangler looks for them: this plugin adds those exports.
 */
export function entryExportsPlugin(bindings: readonly ResolvedBinding[]): Plugin {
  const exports = [...new Map(bindings.map((b) => [b.className, b.module]))]
    .map(([className, module]) => `export { ${className} } from ${JSON.stringify(module)};`)
    .join("\n");
  return {
    name: "dotdo:nitro-cloudflare-exports",
    transform(code, id) {
      return this.getModuleInfo(id)?.isEntry ? { code: `${code}\n${exports}\n`, map: null } : null;
    },
  };
}

/**
 * Declares the bindings (and a migration creating SQLite-backed classes) in the wrangler
 * config Nitro writes with `cloudflare.deployConfig`, unless the project declares Durable
 * Objects itself, in a wrangler file or in `cloudflare.wrangler`.
 */
export function declareBindings(nitro: Nitro, bindings: readonly ResolvedBinding[]): void {
  if (WRANGLER_FILES.some((file) => existsSync(join(nitro.options.rootDir, file)))) return;
  const cloudflare = (nitro.options.cloudflare ??= {});
  const wrangler = (cloudflare.wrangler ??= {});
  if (wrangler.durable_objects !== undefined) return;
  wrangler.durable_objects = { bindings: bindings.map((b) => ({ name: b.binding, class_name: b.className })) };
  wrangler.migrations ??= [{ tag: "v1", new_sqlite_classes: [...new Set(bindings.map((b) => b.className))] }];
}
