import type { AssetsOptions } from "../runtime/assets/assets";
import { DEFAULT_COMPATIBILITY_DATE } from "../runtime/compatibility";
import type { AssetsConfig, WorkerProject } from "./config";
import { runtimeModule } from "./package-paths";
import { SQL_WASM_FILE, TARGETS, type EntryKind, type RuntimeTarget } from "./targets";

/** Where a server output keeps the project's static assets, next to its `serverDir`. */
export const ASSETS_DIR = "public";

/** Ids of the virtual modules the plugin serves. */
export const ENTRY_ID = "virtual:dotdo/entry";
export const WASM_ID = "virtual:dotdo/sql-wasm";
export const GLOBALS_ID = "virtual:dotdo/globals";

/** The ids above: modules only the plugin can load. */
export const VIRTUAL_IDS: readonly string[] = [ENTRY_ID, WASM_ID, GLOBALS_ID];

/** The virtual entry: the user's module wired into the target's platform entry. */
export function entrySource(project: WorkerProject, target: RuntimeTarget, kind: EntryKind): string {
  const main = JSON.stringify(project.main);
  if (target === "cloudflare") {
    // workerd is the runtime: re-export the module so wrangler sees `default` and every DO class.
    return `export * from ${main};\nexport { default } from ${main};\n`;
  }
  const start = [
    // First, so the user's modules and their libraries see workerd's globals as they load.
    `import ${JSON.stringify(GLOBALS_ID)};`,
    `import * as userModule from ${main};`,
    `import { createWorker } from ${JSON.stringify(runtimeModule("worker"))};`,
    `import { sqlWasmModule } from ${JSON.stringify(WASM_ID)};`,
    `const options = ${JSON.stringify(workerOptions(project))};`,
    `const startWorker = async (extra) => createWorker(userModule, { ...extra, ...options, sqlWasm: await sqlWasmModule });`,
  ];
  // Edge functions are always handlers: nothing listens on a port there.
  if (kind === "handler" || target === "vercel-edge") return [...start, ...handlerLines(target), ""].join("\n");
  return [...start, ...serveLines(project, target), ""].join("\n");
}

/** workerd's globals as the Worker's compatibility date and flags make them (`navigator`). */
export function globalsSource(project: WorkerProject): string {
  const compatibility = [project.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE, project.compatibilityFlags].map((value) => JSON.stringify(value)).join(", ");
  return `import { installWorkerdGlobals } from ${JSON.stringify(runtimeModule("globals"))};\ninstallWorkerdGlobals(${compatibility});\n`;
}

/** The `createWorker` options that come from the project's config. */
export function workerOptions(project: WorkerProject): Record<string, unknown> {
  const options: Record<string, unknown> = {
    durableObjects: Object.fromEntries(project.durableObjects.map((b) => [b.name, { className: b.className }])),
    vars: project.vars,
  };
  if (project.exportedDurableObjects.length > 0) options.exportedDurableObjects = project.exportedDurableObjects;
  if (project.loopbackServices.length > 0) {
    options.services = Object.fromEntries(project.loopbackServices.map(({ binding, entrypoint, props }) => [binding, { ...(entrypoint && { entrypoint }), ...(props && { props }) }]));
  }
  if (project.evictAfterMs !== undefined) options.evictAfterMs = project.evictAfterMs;
  if (project.cpuLimitMs !== undefined) options.cpuLimitMs = project.cpuLimitMs;
  if (project.compatibilityDate !== undefined) options.compatibilityDate = project.compatibilityDate;
  if (project.compatibilityFlags.length > 0) options.compatibilityFlags = project.compatibilityFlags;
  return options;
}

/**
 * Server targets keep objects in the store DOTDO_STORAGE names (default .dotdo/): restored on
 * open, checkpointed while they run and on SIGTERM, through their thin platform entry.
 */
function serveLines(project: WorkerProject, platform: Exclude<RuntimeTarget, "cloudflare" | "vercel-edge">): string[] {
  const assets = project.assets;
  const assetLines = assets
    ? [
        `import { directoryAssets } from ${JSON.stringify(runtimeModule("platform/asset-files"))};`,
        `import { fileURLToPath } from "node:url";`,
        // DOTDO_ASSETS_DIR: `dotdo dev` serves the project's own directory.
        `const assets = directoryAssets(process.env.DOTDO_ASSETS_DIR || fileURLToPath(new URL("../${ASSETS_DIR}/", import.meta.url)), ${JSON.stringify(assetsOptions(project, assets))});`,
      ]
    : [];
  const binding = assets?.binding ? `, bindings: { ${JSON.stringify(assets.binding)}: assets }` : "";
  return [
    ...assetLines,
    `import { createStore } from ${JSON.stringify(runtimeModule("storage/index"))};`,
    `import { persistenceEnv, persistenceLifecycle } from ${JSON.stringify(runtimeModule("persistence/index"))};`,
    `import { serve } from ${JSON.stringify(runtimeModule(`platform/${platform}`))};`,
    `import { hostname } from "node:os";`,
    `import { AsyncLocalStorage } from "node:async_hooks";`,
    `import { serverCluster } from ${JSON.stringify(runtimeModule("platform/server-cluster"))};`,
    `const cluster = serverCluster(process.env);`,
    `const lifecycle = persistenceLifecycle({ store: await createStore(process.env), ...persistenceEnv(process.env, hostname()), ...cluster?.lifecycle, onError: (error) => console.error("dotdo persistence:", error) });`,
    `await serve(await startWorker({ lifecycle, asyncContext: new AsyncLocalStorage(), crons: ${JSON.stringify(project.crons)}, ...(cluster && { cluster: cluster.worker })${binding} })${assets ? ", { assets }" : ""});`,
  ];
}

/** What the runtime's asset router needs from the project: its routing settings and compatibility. */
function assetsOptions(project: WorkerProject, assets: AssetsConfig): AssetsOptions {
  const { htmlHandling, notFoundHandling, runWorkerFirst } = assets;
  return { htmlHandling, notFoundHandling, runWorkerFirst, ...(project.compatibilityDate && { compatibilityDate: project.compatibilityDate }), compatibilityFlags: project.compatibilityFlags };
}

/**
 * A handler starts the worker on the first request and stores every object's changes before
 * answering (see the runtime's `persistentHandler`). Edge functions export the handler function
 * itself and can open only fetch-based stores; Node functions (Vercel's Node.js runtime) export
 * web-standard `{ fetch }`.
 */
function handlerLines(target: RuntimeTarget): string[] {
  const fetchOnly = TARGETS[target].storage === "fetch";
  return [
    `import { persistentHandler } from ${JSON.stringify(runtimeModule("platform/handler"))};`,
    fetchOnly
      ? `import { createFetchStore as openStore } from ${JSON.stringify(runtimeModule("platform/fetch-store"))};`
      : `import { createStore as openStore } from ${JSON.stringify(runtimeModule("storage/index"))};`,
    // Vercel's edge runtime has process.env; other handler platforms may pass no process at all.
    `const handler = persistentHandler({ env: () => globalThis.process?.env ?? {}, openStore, startWorker });`,
    target === "vercel-edge" ? `export default handler;` : `export default { fetch: handler };`,
  ];
}

/** The wasm module source for targets that bundle sql.js, per their wasm mode. */
export function wasmSource(target: RuntimeTarget): string {
  switch (TARGETS[target].wasm) {
    case "file":
      return [
        `import { readFile } from "node:fs/promises";`,
        `export const sqlWasmModule = readFile(new URL("./${SQL_WASM_FILE}", import.meta.url)).then((bytes) => WebAssembly.compile(bytes));`,
        "",
      ].join("\n");
    case "module-import":
      return `import compiled from "./${SQL_WASM_FILE}?module";\nexport const sqlWasmModule = Promise.resolve(compiled);\n`;
    case "none":
      return `export const sqlWasmModule = undefined;\n`;
  }
}
