import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "pathe";
import type { DotdoCore } from "./core";
import { effectiveRules, isLoadedType, ruleFor, ruleModuleSource, wasmFileName, wasmImport, type CompiledRule, type LoadedType } from "./module-rules";

/**
 * Ids of the modules a rule makes of a file: `\0dotdo-rule:{"type":…,"path":…}`, not ending in
 * the file's extension, so that the bundler's own plugins for it (Vite's for .html) keep away.
 */
const PREFIX = "\0dotdo-rule:";

/** The part of the bundler's context the rules use: placing a wasm file next to the bundle. */
interface EmitContext {
  emitFile(file: { type: "asset"; fileName: string; source: Uint8Array }): unknown;
}

/**
 * wrangler's module rules for the Vite and Rollup plugin, as `esbuild-modules.ts` applies
 * them for `dotdo build`: a relative import matching a Text, Data or CompiledWasm rule becomes
 * that module. Package imports (`some-pkg/page.html`) are left to the bundler.
 */
export function unpluginRules(core: Pick<DotdoCore, "project" | "target">) {
  let rules: Promise<CompiledRule[]> | undefined;
  return {
    async resolveId(context: EmitContext, id: string, importer: string | undefined): Promise<string | { id: string; external: true } | null> {
      if (importer === undefined || importer.startsWith("\0") || !(id.startsWith("./") || id.startsWith("../") || isAbsolute(id))) return null;
      const type = ruleFor(await (rules ??= core.project().then((project) => effectiveRules(project.rules))), id);
      if (!isLoadedType(type)) return null;
      const path = resolve(dirname(importer), id.replace(/\?module$/, ""));
      if (!existsSync(path)) return null;
      if (type === "CompiledWasm") {
        const bytes = readFileSync(path);
        const fileName = wasmFileName(path, bytes);
        const external = wasmImport(core.target, fileName);
        if (external !== undefined) {
          context.emitFile({ type: "asset", fileName, source: bytes });
          return { id: external, external: true };
        }
      }
      return PREFIX + JSON.stringify({ type, path });
    },
    includes: (id: string) => id.startsWith(PREFIX),
    load(id: string): string {
      const { type, path } = JSON.parse(id.slice(PREFIX.length)) as { type: LoadedType; path: string };
      return ruleModuleSource(type, readFileSync(path));
    },
  };
}
