import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "pathe";
import { DEFAULT_COMPATIBILITY_DATE } from "../../runtime/compatibility";
import { parseCron } from "../../runtime/cron/schedule";
import { assertRunnableOffCloudflare, type CustomBuild, loadProject, type WorkerProject } from "../../plugin/config";
import { dotdoPackage } from "../../plugin/package-paths";
import type { PresetContext, ResolvedPreset } from "../define";
import { deployCommandLine } from "../deploy-steps";
import { BuildError } from "../errors";
import { presetNames, resolvePreset } from "../registry";
import { assetsWarnings, copyAssets } from "./assets";
import { BUNDLE_FILE, bundle } from "./bundle";
import { runCustomBuild } from "./custom-build";
import { MANIFEST_FILE, type DotdoManifest } from "./manifest";
import { assertReplaceable, replaceOutDir } from "./out-dir";

export interface BuildOptions {
  /** Preset name; otherwise `preset` from dotdo.config.ts. */
  preset?: string;
  /** Project directory (default: the working directory). */
  root?: string;
  /** Output directory, relative to `root` (default: the preset's, usually `.output`). */
  outDir?: string;
  /** Called as each step of the build starts, with what it does (for progress output). */
  onProgress?: (step: string) => void;
}

export interface BuildResult {
  project: WorkerProject;
  preset: ResolvedPreset;
  /** Absolute output directory. */
  outDir: string;
  manifest: DotdoManifest;
  /** Every file written, relative to `outDir`. */
  files: string[];
  /** What the output will not do that the project asks for (e.g. KV bindings off Cloudflare). */
  warnings: string[];
}

export { DEFAULT_COMPATIBILITY_DATE };

/** Builds the project for one preset: bundle, platform files and `dotdo.json` in the output directory. */
export async function buildProject(options: BuildOptions = {}): Promise<BuildResult> {
  const progress = options.onProgress ?? (() => {});
  const runBuild = (build: CustomBuild) => (progress(`Running build.command: ${build.command}`), runCustomBuild(build));
  const project = await loadProject({ ...(options.root === undefined ? {} : { root: options.root }), runBuild });
  const presetName = options.preset ?? project.preset;
  if (presetName === undefined) throw new BuildError(`No preset given: pass --preset=<name> (one of ${presetNames().join(", ")})`);
  const preset = resolvePreset(presetName);
  if (preset.runtime !== "cloudflare") assertRunnableOffCloudflare(project);
  for (const cron of project.crons) parseCron(cron); // CRON_INVALID at build, not at the first start
  const outDir = outputDirectory(project, preset, options.outDir);
  assertReplaceable(outDir, project.root);

  // Templates see the final output directory; files are written to a staging copy of it.
  const ctx = presetContext(project, preset, outDir);
  const { manifest, files } = await replaceOutDir(outDir, async (staging) => {
    progress(`Bundling ${relative(project.root, project.main)} for ${preset.name}`);
    const exports = await bundle(project, preset, join(staging, preset.serverDir));
    if (preset.runtime === "cloudflare") assertClassesExported(project, exports);
    if (project.assets) progress(`Copying static assets from ${relative(project.root, project.assets.directory)}`);
    const assets = await copyAssets(project, preset, staging);
    progress(`Writing ${shortPath(project.root, outDir)}`);
    const rendered = renderPresetFiles(ctx);
    for (const [path, text] of Object.entries(rendered)) await writeOutput(join(staging, path), text);
    const manifest: DotdoManifest = {
      preset: preset.name,
      runtime: preset.runtime,
      dotdo: ctx.dotdoVersion,
      compatibilityDate: ctx.compatibilityDate,
      entry: `${preset.serverDir}/${BUNDLE_FILE}`,
      commands: manifestCommands(ctx),
    };
    await writeOutput(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, files: [manifest.entry, ...assets, ...Object.keys(rendered), MANIFEST_FILE] };
  });
  return { project, preset, outDir, manifest, files, warnings: [...offCloudflareWarnings(project, preset), ...assetsWarnings(project, preset)] };
}

/** The absolute output directory: `outDir` (relative to the root), else dotdo.config's, else the preset's. */
export function outputDirectory(project: WorkerProject, preset: ResolvedPreset, outDir?: string): string {
  return resolve(project.root, outDir ?? project.outDir ?? preset.outDir);
}

/** Shell commands for people: the preview, and the deploy steps `dotdo deploy` runs. */
function manifestCommands(ctx: PresetContext): DotdoManifest["commands"] {
  const preview = ctx.preset.commands.preview?.(ctx);
  const deploy = deployCommandLine(ctx);
  return { ...(preview === undefined ? {} : { preview }), ...(deploy === undefined ? {} : { deploy }) };
}

/** What templates see for this build. */
export function presetContext(project: WorkerProject, preset: ResolvedPreset, outDir: string): PresetContext {
  return {
    project,
    preset,
    outDir,
    outDirFromRoot: shortPath(project.root, outDir),
    rootFromOutDir: relative(outDir, project.root),
    dotdoVersion: dotdoPackage().version,
    compatibilityDate: project.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE,
  };
}

/** The preset's platform files as text, keyed by path inside the output directory. */
export function renderPresetFiles(ctx: PresetContext): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ctx.preset.files).map(([path, template]) => {
      const rendered = template(ctx);
      return [path, typeof rendered === "string" ? rendered : `${JSON.stringify(rendered, null, 2)}\n`];
    }),
  );
}

/** Parts of the project that only Cloudflare runs: built anyway, but said out loud. */
function offCloudflareWarnings(project: WorkerProject, preset: ResolvedPreset): string[] {
  if (preset.runtime === "cloudflare") return [];
  const file = relative(project.root, project.configFile);
  const warnings = project.cloudflareOnlyBindings.map(
    ({ field, name }) => `${file}: "${field}" binds ${name}, which only Cloudflare provides; env.${name} is undefined on ${preset.name}`,
  );
  // Server outputs run them (one replica per tick); a function only runs when called.
  if (project.crons.length > 0 && preset.entry === "handler") {
    warnings.push(`${file}: "triggers.crons" does not run on ${preset.name}; have the platform's scheduler call the Worker instead`);
  }
  return warnings;
}

/** workerd instantiates classes by export name: a bound class must be exported by the entry. */
function assertClassesExported(project: WorkerProject, exports: string[]): void {
  if (!exports.includes("default")) throw new BuildError(`${relative(project.root, project.main)} has no default export; a Worker exports default { fetch }`);
  for (const binding of project.durableObjects) {
    if (binding.scriptName === undefined && !exports.includes(binding.className)) {
      throw new BuildError(`${relative(project.root, project.main)} does not export class ${binding.className}, which the wrangler config binds as ${binding.name}`);
    }
  }
}

/** `to` relative to `from` when it lies inside it, otherwise absolute: for commands users paste. */
function shortPath(from: string, to: string): string {
  const path = relative(from, to);
  return path.startsWith("..") ? to : path;
}

async function writeOutput(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
