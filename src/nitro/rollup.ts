import { readFile } from "node:fs/promises";
import type { Plugin } from "rollup";
import { cloudflareModule } from "../plugin/cloudflare-modules";
import { keptOriginal } from "../plugin/core";
import { UnsupportedImportError } from "../plugin/errors";
import { runtimeModule, sqlWasmPath } from "../plugin/package-paths";
import { SQL_WASM_FILE, TARGETS, type RuntimeTarget } from "../plugin/targets";
import type { ResolvedBinding } from "./options";

/** The virtual module the runtime plugins import: the bound classes, their bindings and the sql.js wasm. */
export const OBJECTS_ID = "virtual:dotdo/nitro-objects";
const RESOLVED_OBJECTS_ID = `\0${OBJECTS_ID}`;

/** The wasm import edge bundles keep, for the platform to compile at deploy time. */
const WASM_IMPORT = `./${SQL_WASM_FILE}?module`;

/**
 * The Rollup plugin Nitro bundles with off Cloudflare: `cloudflare:*` imports are dotdo's
 * runtime, and `virtual:dotdo/nitro-objects` gathers the classes the config binds.
 */
export function objectsPlugin(bindings: readonly ResolvedBinding[], target: Exclude<RuntimeTarget, "cloudflare">): Plugin {
  const spec = TARGETS[target];
  return {
    name: "dotdo:nitro",
    resolveId(id, importer) {
      if (id === OBJECTS_ID) return RESOLVED_OBJECTS_ID;
      if (importer === RESOLVED_OBJECTS_ID && id === WASM_IMPORT) return { id, external: true };
      const original = keptOriginal(spec, id, importer);
      if (original) return original;
      if (!id.startsWith("cloudflare:")) return null;
      const file = cloudflareModule(id, target);
      if (file === undefined) throw new UnsupportedImportError(id, importer);
      return file;
    },
    async load(id) {
      if (id !== RESOLVED_OBJECTS_ID) return null;
      const source = await readFile(sqlWasmPath());
      // At the bundle's root, next to the server entry (see `wasmLines`).
      this.emitFile({ type: "asset", fileName: SQL_WASM_FILE, source });
      return objectsSource(bindings, target);
    },
  };
}

function objectsSource(bindings: readonly ResolvedBinding[], target: Exclude<RuntimeTarget, "cloudflare">): string {
  const modules = [...new Set(bindings.map((b) => b.module))];
  const classes = [...new Map(bindings.map((b) => [b.className, modules.indexOf(b.module)]))];
  const durableObjects = Object.fromEntries(bindings.map((b) => [b.binding, { className: b.className }]));
  return [
    // First, so the user's modules and their libraries see workerd's globals as they load.
    `import ${JSON.stringify(runtimeModule("globals"))};`,
    ...modules.map((path, index) => `import * as m${index} from ${JSON.stringify(path)};`),
    `export const classes = { ${classes.map(([name, index]) => `${JSON.stringify(name)}: m${index}[${JSON.stringify(name)}]`).join(", ")} };`,
    `export const durableObjects = ${JSON.stringify(durableObjects)};`,
    ...wasmLines(target),
    "",
  ].join("\n");
}

/**
 * Node, Bun and Deno read the wasm from the file next to the server entry: Nitro makes
 * `import.meta.url` the entry's URL in every chunk of a Node-style build. Edge runtimes refuse
 * to compile wasm bytes, so the platform compiles a static `?module` import at deploy time.
 */
function wasmLines(target: Exclude<RuntimeTarget, "cloudflare">): string[] {
  if (TARGETS[target].wasm === "module-import") {
    return [`import compiled from ${JSON.stringify(WASM_IMPORT)};`, `export const sqlWasm = async () => compiled;`];
  }
  return [
    `import { readFile } from "node:fs/promises";`,
    `export const sqlWasm = async () => WebAssembly.compile(await readFile(new URL("./${SQL_WASM_FILE}", import.meta.url)));`,
  ];
}
