import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import type { ImportKind, OnLoadResult, PluginBuild } from "esbuild";
import { dirname, isAbsolute, join, relative } from "pathe";
import { hasNodejsCompat } from "./config/flags";
import type { DotdoCore } from "./core";
import { effectiveRules, isLoadedType, ruleFor, ruleModuleSource, wasmFileName, wasmImport, wasmStaysFile, type CompiledRule, type LoadedType } from "./module-rules";

const RULE_NAMESPACE = "dotdo-module-rule";
const REQUIRE_NAMESPACE = "dotdo-node-require";

/**
 * wrangler's module rules in an esbuild build: an import matching a `Text` rule is the file's
 * text, `Data` its bytes as an ArrayBuffer, `CompiledWasm` a `WebAssembly.Module` (compiled
 * at load on Node, Bun and Deno; on workerd and Vercel Edge the file is written next to the
 * bundle and imported, for the platform to compile). A static import is matched by its
 * specifier, as wrangler matches it; a file a dynamic import pattern reaches
 * (`import(\`./locales/${lang}.txt\`)`) by its path under `base_dir`, as wrangler's
 * `find_additional_modules` matches it. `ESModule`/`CommonJS` rules need nothing: esbuild
 * bundles JavaScript itself.
 */
export function setupModuleRules(build: PluginBuild, core: Pick<DotdoCore, "project" | "target">): void {
  let loaded: Promise<{ rules: CompiledRule[]; baseDir: string }> | undefined;
  const project = () => (loaded ??= core.project().then((p) => ({ rules: effectiveRules(p.rules), baseDir: p.baseDir })));
  const wasmFiles = new Map<string, string>();

  build.onResolve({ filter: /.*/ }, async (args) => {
    if (args.namespace !== "file" || args.pluginData === RULE_NAMESPACE || args.kind === "entry-point") return undefined;
    const type = ruleFor((await project()).rules, args.path);
    if (!isLoadedType(type)) return undefined;
    const path = await resolveFile(build, args.path.replace(/\?module$/, ""), args.resolveDir, args.kind);
    if (path === undefined) return undefined;
    if (type === "CompiledWasm") {
      const file = wasmFileName(path, await readFile(path));
      const external = wasmImport(core.target, file);
      if (external !== undefined) {
        wasmFiles.set(file, path);
        return { path: external, external: true };
      }
    }
    return { path, namespace: RULE_NAMESPACE, pluginData: type };
  });

  build.onLoad({ filter: /.*/, namespace: RULE_NAMESPACE }, (args) => loadAs(args.pluginData as LoadedType, args.path));

  // Files esbuild found itself, for a dynamic import pattern: matched by their path under base_dir.
  build.onLoad({ filter: /.*/, namespace: "file" }, async (args) => {
    const { rules, baseDir } = await project();
    const path = relative(baseDir, args.path);
    if (path.startsWith("../")) return undefined;
    const type = ruleFor(rules, path);
    if (!isLoadedType(type)) return undefined;
    // On workerd and Vercel Edge a wasm file stays a file: import it, for the rule above to place it.
    if (type === "CompiledWasm" && wasmStaysFile(core.target)) return { contents: `export { default } from ${JSON.stringify(args.path)};\n`, loader: "js" };
    return loadAs(type, args.path);
  });

  build.onEnd(async (result) => {
    const outdir = build.initialOptions.outdir ?? (build.initialOptions.outfile && dirname(build.initialOptions.outfile));
    if (result.errors.length > 0 || !outdir || wasmFiles.size === 0) return;
    await mkdir(outdir, { recursive: true });
    await Promise.all([...wasmFiles].map(async ([file, source]) => writeFile(join(outdir, file), await readFile(source))));
  });
}

async function loadAs(type: LoadedType, path: string): Promise<OnLoadResult> {
  return { contents: ruleModuleSource(type, await readFile(path)), loader: "js" };
}

async function resolveFile(build: PluginBuild, specifier: string, resolveDir: string, kind: ImportKind): Promise<string | undefined> {
  // A missing file is left to esbuild, which reports it as unresolved.
  if (isAbsolute(specifier)) return existsSync(specifier) ? specifier : undefined;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    const path = join(resolveDir, specifier);
    return existsSync(path) ? path : undefined;
  }
  const resolved = await build.resolve(specifier, { resolveDir, kind, pluginData: RULE_NAMESPACE });
  return resolved.errors.length === 0 && resolved.path ? resolved.path : undefined;
}

const BUILTINS = new RegExp(`^(?:node:)?(?:${builtinModules.filter((name) => !name.startsWith("_")).map((name) => name.replace(/[/.]/g, "\\$&")).join("|")})$`);

/**
 * `nodejs_compat` where the platform provides Node's modules but not Node's resolution (workerd,
 * Vercel Edge): a bare `path` is `node:path`, left to the platform, and a CommonJS
 * `require("path")` becomes an import of it (an ES module bundle has no `require`), as wrangler does.
 */
export function setupNodeBuiltins(build: PluginBuild, core: Pick<DotdoCore, "project">): void {
  build.onResolve({ filter: BUILTINS }, async (args) => {
    if (!hasNodejsCompat(await core.project())) return undefined;
    const name = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
    return args.kind === "require-call" ? { path: name, namespace: REQUIRE_NAMESPACE } : { path: name, external: true };
  });
  build.onLoad({ filter: /.*/, namespace: REQUIRE_NAMESPACE }, (args) => ({
    contents: `import builtin from ${JSON.stringify(args.path)};\nmodule.exports = builtin;\n`,
    loader: "js",
  }));
}
