import { readFile } from "node:fs/promises";
import type { Plugin } from "rollup";
import { cloudflareModule } from "../plugin/cloudflare-modules";
import { UnsupportedImportError } from "../plugin/errors";
import { runtimeModule, sqlWasmPath } from "../plugin/package-paths";
import { SQL_WASM_FILE, TARGETS, type RuntimeTarget } from "../plugin/targets";
import { BROWSER_BUILDS, browserBuild } from "./browser-build";
import type { ResolvedBinding } from "./options";
import { dotdoCodeDir } from "./paths";

/** The virtual module the runtime plugins import: the bound classes, their bindings and the sql.js wasm. */
export const OBJECTS_ID = "virtual:dotdo/nitro-objects";
const RESOLVED_OBJECTS_ID = `\0${OBJECTS_ID}`;
/** A package's browser build (see `BROWSER_BUILDS`). */
const BROWSER_BUILD_PREFIX = "\0dotdo-browser:";

/** The wasm import edge bundles keep, for the platform to compile at deploy time. */
const WASM_IMPORT = `./${SQL_WASM_FILE}?module`;

/**
 * The Rollup plugin Nitro bundles with off Cloudflare: `cloudflare:*` imports are dotdo's
 * runtime, and `virtual:dotdo/nitro-objects` gathers the classes the config binds.
 */
export function objectsPlugin(bindings: readonly ResolvedBinding[], target: Exclude<RuntimeTarget, "cloudflare">): Plugin {
  const spec = TARGETS[target];
  const dotdoCode = dotdoCodeDir();
  return {
    name: "dotdo:nitro",
    resolveId(id, importer) {
      if (id === OBJECTS_ID) return RESOLVED_OBJECTS_ID;
      if (importer === RESOLVED_OBJECTS_ID && id === WASM_IMPORT) return { id, external: true };
      if (spec.platform === "browser" && BROWSER_BUILDS.includes(id) && importer?.startsWith(dotdoCode)) return `${BROWSER_BUILD_PREFIX}${id}`;
      if (!id.startsWith("cloudflare:")) return null;
      const file = cloudflareModule(id, target);
      if (file === undefined) throw new UnsupportedImportError(id, importer);
      return file;
    },
    async load(id) {
      if (id.startsWith(BROWSER_BUILD_PREFIX)) return browserBuild(id.slice(BROWSER_BUILD_PREFIX.length), spec);
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
