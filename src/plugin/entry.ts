import type { WorkerProject } from "./config";
import { runtimeModule } from "./package-paths";
import { SQL_WASM_FILE, TARGETS, type EntryKind, type RuntimeTarget } from "./targets";

/** Ids of the virtual modules the plugin serves. */
export const ENTRY_ID = "virtual:dotdo/entry";
export const WASM_ID = "virtual:dotdo/sql-wasm";

/** The virtual entry: the user's module wired into the target's platform entry. */
export function entrySource(project: WorkerProject, target: RuntimeTarget, kind: EntryKind): string {
  const main = JSON.stringify(project.main);
  if (target === "cloudflare") {
    // workerd is the runtime: re-export the module so wrangler sees `default` and every DO class.
    return `export * from ${main};\nexport { default } from ${main};\n`;
  }
  const start = [
    `import * as userModule from ${main};`,
    `import { createWorker } from ${JSON.stringify(runtimeModule("worker"))};`,
    `import { sqlWasmModule } from ${JSON.stringify(WASM_ID)};`,
    `const options = ${JSON.stringify(workerOptions(project))};`,
    ...(TARGETS[target].persistence ? PERSISTENT_START : MEMORY_START),
  ];
  // Edge functions are always handlers: nothing listens on a port there.
  if (kind === "handler" || target === "vercel-edge") return [...start, ...handlerLines(target), ""].join("\n");
  return [...start, ...serveLines(target), ""].join("\n");
}

/** The `createWorker` options that come from the project's config. */
export function workerOptions(project: WorkerProject): Record<string, unknown> {
  const options: Record<string, unknown> = {
    durableObjects: Object.fromEntries(project.durableObjects.map((b) => [b.name, { className: b.className }])),
    vars: project.vars,
  };
  if (project.evictAfterMs !== undefined) options.evictAfterMs = project.evictAfterMs;
  return options;
}

const MEMORY_START = [`const startWorker = async () => createWorker(userModule, { ...options, sqlWasm: await sqlWasmModule });`];

// Objects are restored from, and checkpointed to, the store DOTDO_STORAGE names (default .dotdo/).
const PERSISTENT_START = [
  `import { createStore } from ${JSON.stringify(runtimeModule("storage/index"))};`,
  `import { persistenceLifecycle } from ${JSON.stringify(runtimeModule("persistence/index"))};`,
  `const startWorker = async () => {`,
  `  const lifecycle = persistenceLifecycle({ store: await createStore(process.env), onError: (error) => console.error("dotdo checkpoint failed:", error) });`,
  `  return createWorker(userModule, { ...options, sqlWasm: await sqlWasmModule, lifecycle });`,
  `};`,
];

/** Server targets start the worker and hand it to their thin platform entry in the runtime. */
function serveLines(platform: Exclude<RuntimeTarget, "cloudflare" | "vercel-edge">): string[] {
  return [
    `import { serve } from ${JSON.stringify(runtimeModule(`platform/${platform}`))};`,
    `await serve(await startWorker());`,
  ];
}

/**
 * A handler starts the worker once, on the first request. Edge functions export the handler
 * function itself; Node functions (Vercel's Node.js runtime) export web-standard `{ fetch }`.
 */
function handlerLines(target: RuntimeTarget): string[] {
  return [
    `let worker;`,
    `async function handler(request) {`,
    `  worker ??= startWorker();`,
    `  return (await worker).fetch(request);`,
    `}`,
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
