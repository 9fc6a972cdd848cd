// The virtual module the dotdo Nitro module serves to these runtime plugins (src/nitro/rollup.ts).
declare module "virtual:dotdo/nitro-objects" {
  import type { SqlWasmSource } from "../../runtime/sqlite/sqljs-loader";

  /** The classes the config binds, by class name. */
  export const classes: Readonly<Record<string, unknown>>;
  /** `{ BINDING: { className } }`, as `createWorker` takes them. */
  export const durableObjects: Record<string, { className: string }>;
  /** Loads the sql.js wasm shipped with the build. */
  export function sqlWasm(): Promise<SqlWasmSource>;
}
