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

export interface TargetSpec {
  wasm: WasmMode;
  /**
   * Whether the entry keeps objects in the store `DOTDO_STORAGE` names (Iceberg checkpoints,
   * restore on open, a final checkpoint on SIGTERM). Edge bundles cannot carry the file and S3
   * backends yet, so their objects live in memory only.
   */
  persistence: boolean;
  platform: "node" | "neutral";
  /** Package export conditions, most specific first. */
  conditions: string[];
  /** Imports the target's runtime provides. */
  external: string[];
  /** Code placed before the bundle. */
  banner?: string;
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
  cloudflare: { wasm: "none", persistence: false, platform: "neutral", conditions: ["workerd", "worker", "browser", "import", "default"], external: ["cloudflare:*", "node:*"] },
  node: { wasm: "file", persistence: true, platform: "node", conditions: ["node", "import", "default"], external: [], banner: COMMONJS_SCOPE },
  bun: { wasm: "file", persistence: true, platform: "node", conditions: ["bun", "node", "import", "default"], external: ["bun", "bun:*"], banner: COMMONJS_SCOPE },
  deno: { wasm: "file", persistence: true, platform: "node", conditions: ["deno", "node", "import", "default"], external: [], banner: COMMONJS_SCOPE },
  "vercel-edge": { wasm: "module-import", persistence: false, platform: "neutral", conditions: ["edge-light", "worker", "browser", "import", "default"], external: ["*.wasm?module"] },
};

/** File name of the wasm written next to the bundle. */
export const SQL_WASM_FILE = "sql-wasm.wasm";

/** The endpoints every server output answers itself (see the runtime's platform entries). */
export { HEALTH_PATH, METRICS_PATH } from "../runtime/platform/routes";
