import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "pathe";

interface PackageInfo {
  root: string;
  version: string;
  /** True when running from `src/` (tests, local development) rather than the built `dist/`. */
  fromSource: boolean;
}

let cached: PackageInfo | undefined;

/** Finds dotdo's own package: unbuild may place this code in a shared chunk, so walk up. */
export function dotdoPackage(): PackageInfo {
  if (cached) return cached;
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
    if (name !== "dotdo") continue;
    cached = { root: dir, version: version ?? "0.0.0", fromSource: /\.[cm]?ts$/.test(here) };
    return cached;
  }
  throw new Error(`dotdo could not find its own package.json above ${here}`);
}

/** Absolute path of a runtime module (`worker`, `platform/node`, `index`) in src or dist. */
export function runtimeModule(subpath: string): string {
  const { root, fromSource } = dotdoPackage();
  return fromSource ? join(root, "src/runtime", `${subpath}.ts`) : join(root, "dist/runtime", `${subpath}.mjs`);
}

/** The sql.js wasm binary dotdo ships: one file, the same for sql.js's node and browser glue. */
export function sqlWasmPath(): string {
  return createRequire(join(dotdoPackage().root, "package.json")).resolve("sql.js/dist/sql-wasm.wasm");
}
