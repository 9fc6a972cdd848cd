/** The runtimes a build can target; a preset picks one. */
export type RuntimeTarget = "cloudflare" | "node" | "bun" | "deno" | "vercel-edge";

/** A `server` listens on PORT itself; a `handler` exports the Worker for a platform that calls it. */
export type EntryKind = "server" | "handler";

/**
 * How the sql.js wasm reaches the runtime:
 * - `none`: workerd has SQLite natively, so no sql.js is bundled at all;
 * - `file`: the wasm is written next to the bundle and read and compiled at start (Node, Bun, Deno);
 * - `module-import`: a static `import … from "./sql-wasm.wasm?module"` that the platform compiles
 *   at deploy time, because edge runtimes refuse to compile wasm from bytes.
 */
export type WasmMode = "none" | "file" | "module-import";

/**
 * Where a target's outputs keep objects (Iceberg checkpoints, restored on open):
 * - `none`: workerd stores Durable Objects itself;
 * - `any`: every backend `createStore` offers, the file store (`.dotdo/`) by default;
 * - `fetch`: backends that need nothing but `fetch` (storage gateway, S3, `memory:`), because
 *   edge runtimes have no disk and no `node:` modules; the file backend is not even bundled.
 */
export type StorageMode = "none" | "any" | "fetch";

export interface TargetSpec {
  wasm: WasmMode;
  storage: StorageMode;
  platform: "node" | "neutral" | "browser";
  /** Package export conditions, most specific first. */
  conditions: string[];
  /** Imports the target's runtime provides. */
  external: string[];
  /** Code placed before the bundle. */
  banner?: string;
  /**
   * Package files (`package/path`, without extension) whose `browser` replacement the runtime
   * cannot run: the original file is bundled instead.
   */
  keepOriginal?: string[];
}

// Node-style runtimes bundle CommonJS dependencies (sql.js) into ESM: give them the CommonJS
// module scope (`require`, `__filename`, `__dirname`) that ESM lacks.
const COMMONJS_SCOPE = [
  'import { createRequire as __dotdoCreateRequire } from "node:module";',
  'import { fileURLToPath as __dotdoFileURLToPath } from "node:url";',
  "const require = __dotdoCreateRequire(import.meta.url);",
  "const __filename = __dotdoFileURLToPath(import.meta.url);",
  'const __dirname = __dotdoFileURLToPath(new URL(".", import.meta.url));',
].join("\n");

export const TARGETS: Record<RuntimeTarget, TargetSpec> = {
  cloudflare: { wasm: "none", storage: "none", platform: "neutral", conditions: ["workerd", "worker", "browser", "import", "default"], external: ["cloudflare:*", "node:*"] },
  node: { wasm: "file", storage: "any", platform: "node", conditions: ["node", "import", "default"], external: [], banner: COMMONJS_SCOPE },
  bun: { wasm: "file", storage: "any", platform: "node", conditions: ["bun", "node", "import", "default"], external: ["bun", "bun:*"], banner: COMMONJS_SCOPE },
  deno: { wasm: "file", storage: "any", platform: "node", conditions: ["deno", "node", "import", "default"], external: [], banner: COMMONJS_SCOPE },
  // `browser` applies packages' `browser` field maps, which swap the AWS SDK's Node parts
  // (`node:http`, file-based credentials) for fetch-based ones.
  "vercel-edge": {
    wasm: "module-import",
    storage: "fetch",
    platform: "browser",
    conditions: ["edge-light", "worker", "browser", "import", "default"],
    external: ["*.wasm?module"],
    // The AWS SDK's browser XML parser needs DOMParser, which edge runtimes lack (aws-sdk-js-v3#7375).
    keepOriginal: ["@aws-sdk/xml-builder/dist-es/xml-parser"],
  },
};

/** File name of the wasm written next to the bundle. */
export const SQL_WASM_FILE = "sql-wasm.wasm";

/** The endpoints every server output answers itself (see the runtime's platform entries). */
export { HEALTH_PATH, METRICS_PATH, READY_PATH } from "../runtime/platform/routes";
