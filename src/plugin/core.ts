import { readFile } from "node:fs/promises";
import { dirname, join } from "pathe";
import { resolvePreset } from "../presets/registry";
import { assertRunnableOffCloudflare, loadProject, type WorkerProject } from "./config";
import { ENTRY_ID, entrySource, GLOBALS_ID, globalsSource, VIRTUAL_IDS, wasmSource } from "./entry";
import { UnsupportedImportError } from "./errors";
import { cloudflareModule } from "./cloudflare-modules";
import { sqlWasmPath } from "./package-paths";
import { SQL_WASM_FILE, TARGETS, type RuntimeTarget, type TargetSpec } from "./targets";

export interface DotdoPluginOptions {
  /** Preset whose runtime the bundle targets (default `node`). */
  preset?: string;
  /** Project directory holding the wrangler config (default: the working directory). */
  root?: string;
  /** An already loaded project; skips reading the config again. */
  project?: WorkerProject;
}

/** The name other plugins, namespaces and error messages see. */
export const PLUGIN_NAME = "dotdo";

/** The wasm import edge bundles keep, for the platform to compile at deploy time. */
const WASM_IMPORT = `./${SQL_WASM_FILE}?module`;

/** Where an import goes: a module the plugin serves, a file on disk, or left to the runtime. */
export type Resolution = { virtual: string } | { file: string } | { external: string } | null;

/** What every bundler adapter shares: the target, the project, resolution and virtual modules. */
export interface DotdoCore {
  target: RuntimeTarget;
  spec: TargetSpec;
  project(): Promise<WorkerProject>;
  resolve(id: string, importer: string | undefined): Resolution;
  load(id: string): Promise<string>;
  /** The sql.js wasm to write next to the bundle, or undefined when the target bundles none. */
  wasmBytes(): Promise<Buffer> | undefined;
}

/** Matches the relative imports that may name a `keepOriginal` file, by its last segment. */
export function keepOriginalFilter(spec: TargetSpec): RegExp | undefined {
  const names = (spec.keepOriginal ?? []).map((path) => path.slice(path.lastIndexOf("/") + 1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return names.length === 0 ? undefined : new RegExp(`^\\.\\.?/(.*/)?(${names.join("|")})$`);
}

/** The original `.js` file a relative import names, when the target keeps it over the package's `browser` map. */
export function keptOriginal(spec: TargetSpec, id: string, importer: string | undefined): string | undefined {
  if (importer === undefined || !id.startsWith(".")) return undefined;
  const path = join(dirname(importer), id);
  return spec.keepOriginal?.some((kept) => path.endsWith(`/node_modules/${kept}`)) ? `${path}.js` : undefined;
}

export function createDotdoCore(options: DotdoPluginOptions = {}): DotdoCore {
  const { runtime: target, entry } = resolvePreset(options.preset ?? "node");
  const spec = TARGETS[target];
  let project = options.project;

  return {
    target,
    spec,
    async project() {
      project ??= await loadProject(options.root === undefined ? {} : { root: options.root });
      if (target !== "cloudflare") assertRunnableOffCloudflare(project);
      return project;
    },
    resolve(id, importer) {
      if (VIRTUAL_IDS.includes(id)) return { virtual: id };
      const original = keptOriginal(spec, id, importer);
      if (original) return { file: original };
      if (id === WASM_IMPORT) return { external: id };
      if (!id.startsWith("cloudflare:")) return null;
      if (target === "cloudflare") return { external: id };
      const file = cloudflareModule(id, target);
      if (file === undefined) throw new UnsupportedImportError(id, importer);
      return { file };
    },
    async load(id) {
      if (id === ENTRY_ID) return entrySource(await this.project(), target, entry);
      return id === GLOBALS_ID ? globalsSource(await this.project()) : wasmSource(target);
    },
    wasmBytes() {
      return spec.wasm === "none" ? undefined : readFile(sqlWasmPath());
    },
  };
}
