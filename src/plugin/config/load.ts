import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadConfig } from "c12";
import { basename, dirname, relative, resolve } from "pathe";
import { ConfigNotFoundError, InvalidConfigError } from "./errors";
import { parseWranglerText, WRANGLER_FILES } from "./parse";
import type { AssetsConfig, CustomBuild, DotdoConfig, WorkerProject } from "./types";
import { FieldChecker, validateWrangler } from "./validate";

export interface LoadProjectOptions {
  /** Project directory (default: the working directory). */
  root?: string;
  /** Wrangler file, relative to `root`; otherwise the first of wrangler.jsonc/json/toml. */
  configFile?: string;
  /** Applied over `dotdo.config.ts`, e.g. from CLI flags. */
  overrides?: DotdoConfig;
  /** Runs the custom build (`build.command`) before `main` and `assets` are looked for: they may be its output. */
  runBuild?: (build: CustomBuild) => Promise<void>;
}

/** Reads the user's Worker project: wrangler config, then `dotdo.config.*` over it. */
export async function loadProject(options: LoadProjectOptions = {}): Promise<WorkerProject> {
  const root = resolve(options.root ?? process.cwd());
  const dotdo = await loadDotdoConfig(root, options.overrides ?? {});
  const configFile = findWranglerFile(root, options.configFile ?? dotdo.config.wrangler);
  const shown = relative(root, configFile) || configFile;
  const wrangler = validateWrangler(parseWranglerText(await readFile(configFile, "utf8"), shown), shown);
  const build = wrangler.build && resolveBuild(wrangler.build, dirname(configFile), shown);
  if (build) await options.runBuild?.(build);

  const mainField = dotdo.config.main === undefined ? "main" : "main (dotdo.config)";
  const mainPath = dotdo.config.main ?? wrangler.main;
  if (mainPath === undefined) throw new InvalidConfigError(shown, "main", "is missing: set it to the Worker's entry module, e.g. \"src/index.ts\"");
  const main = resolve(root, mainPath);
  if (!existsSync(main)) throw new InvalidConfigError(shown, mainField, `points to ${mainPath}, which does not exist`);

  const name = wrangler.name ?? basename(root);
  // A service naming this Worker binds its own entrypoints, which run anywhere; others only on Cloudflare.
  const loopback = wrangler.services.filter(({ binding }) => binding.service === name);
  const otherServices = wrangler.services.filter(({ binding }) => binding.service !== name).map(({ field, binding }) => ({ field, name: binding.binding }));
  const project: WorkerProject = {
    root,
    configFile,
    name,
    main,
    compatibilityFlags: wrangler.compatibilityFlags,
    durableObjects: wrangler.durableObjects,
    exportedDurableObjects: wrangler.exportedDurableObjects,
    migrations: wrangler.migrations,
    vars: { ...wrangler.vars, ...dotdo.config.vars },
    r2Buckets: wrangler.r2Buckets,
    loopbackServices: loopback.map(({ binding }) => binding),
    crons: wrangler.crons,
    define: wrangler.define,
    rules: wrangler.rules,
    findAdditionalModules: wrangler.findAdditionalModules,
    baseDir: wrangler.baseDir === undefined ? dirname(main) : resolve(root, wrangler.baseDir),
    alias: Object.fromEntries(Object.entries(wrangler.alias).map(([from, to]) => [from, to.startsWith(".") ? resolve(root, to) : to])),
    cloudflareOnlyBindings: [...wrangler.cloudflareOnlyBindings, ...otherServices],
    wrangler: wrangler.raw,
  };
  const compatibilityDate = dotdo.config.compatibilityDate ?? wrangler.compatibilityDate;
  if (compatibilityDate !== undefined) project.compatibilityDate = compatibilityDate;
  if (build) project.build = build;
  if (wrangler.assets !== undefined) project.assets = resolveAssets(wrangler.assets, dirname(configFile), shown);
  if (dotdo.config.evictAfterMs !== undefined) project.evictAfterMs = dotdo.config.evictAfterMs;
  if (wrangler.cpuLimitMs !== undefined) project.cpuLimitMs = wrangler.cpuLimitMs;
  if (dotdo.file !== undefined) project.dotdoConfigFile = dotdo.file;
  if (dotdo.config.preset !== undefined) project.preset = dotdo.config.preset;
  if (dotdo.config.outDir !== undefined) project.outDir = dotdo.config.outDir;
  return project;
}

/** Loads `dotdo.config.*` (c12) with `overrides` on top, checking every field. */
export async function loadDotdoConfig(root: string, overrides: DotdoConfig = {}): Promise<{ config: DotdoConfig; file?: string }> {
  let loaded;
  try {
    loaded = await loadConfig<DotdoConfig & Record<string, unknown>>({
      name: "dotdo",
      cwd: root,
      rcFile: false,
      globalRc: false,
      dotenv: false,
      packageJson: false,
      envName: false,
      overrides: overrides as DotdoConfig & Record<string, unknown>,
    });
  } catch (error) {
    throw new InvalidConfigError("dotdo.config", undefined, `could not be loaded: ${(error as Error).message}`);
  }
  const file = loaded.configFile && existsSync(loaded.configFile) ? loaded.configFile : undefined;
  const config = checkDotdoConfig(loaded.config, file ? relative(root, file) : "dotdo.config");
  return file ? { config, file } : { config };
}

function checkDotdoConfig(raw: Record<string, unknown>, file: string): DotdoConfig {
  const check = new FieldChecker(file);
  const config: DotdoConfig = {};
  for (const key of ["wrangler", "main", "preset", "outDir"] as const) {
    const value = check.optionalString(raw[key], key);
    if (value !== undefined) config[key] = value;
  }
  const compatibilityDate = check.optionalDate(raw.compatibilityDate, "compatibilityDate");
  if (compatibilityDate !== undefined) config.compatibilityDate = compatibilityDate;
  const evictAfterMs = check.optionalNumber(raw.evictAfterMs, "evictAfterMs");
  if (evictAfterMs !== undefined) config.evictAfterMs = evictAfterMs;
  if (raw.vars !== undefined) config.vars = check.vars(raw.vars, "vars");
  return config;
}

/** wrangler resolves `assets.directory` against the config file's directory; a missing one is an error there too. */
function resolveAssets(assets: AssetsConfig, configDir: string, file: string): AssetsConfig {
  const directory = resolve(configDir, assets.directory);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new InvalidConfigError(file, "assets.directory", `points to ${assets.directory}, which is not a directory`);
  }
  return { ...assets, directory };
}

/** wrangler runs the command in `build.cwd` relative to the config file's directory, and watches `watch_dir` from there. */
function resolveBuild(build: CustomBuild, configDir: string, file: string): CustomBuild {
  const cwd = resolve(configDir, build.cwd);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new InvalidConfigError(file, "build.cwd", `points to ${build.cwd}, which is not a directory`);
  return { command: build.command, cwd, watchDirs: build.watchDirs.map((dir) => resolve(configDir, dir)) };
}

function findWranglerFile(root: string, chosen: string | undefined): string {
  if (chosen !== undefined) {
    const file = resolve(root, chosen);
    if (!existsSync(file)) throw new ConfigNotFoundError(root, [chosen]);
    return file;
  }
  for (const name of WRANGLER_FILES) {
    const file = resolve(root, name);
    if (existsSync(file)) return file;
  }
  throw new ConfigNotFoundError(root, WRANGLER_FILES);
}
