import { cp, readdir } from "node:fs/promises";
import { join, normalize, relative } from "pathe";
import type { WorkerProject } from "../../plugin/config";
import { ASSETS_DIR } from "../../plugin/entry";
import type { ResolvedPreset } from "../define";

/** The Build Output API's directory of static files, which Vercel serves before routing to the function. */
const VERCEL_STATIC_DIR = "static";

/**
 * Where an output keeps the static assets, relative to it: next to the server's directory
 * (where the server entry and wrangler.json look for them), or as Vercel's static files.
 */
export function assetsOutputDir(preset: ResolvedPreset): string {
  return preset.entry === "server" ? normalize(join(preset.serverDir, "..", ASSETS_DIR)) : VERCEL_STATIC_DIR;
}

/** Copies the project's assets into the staged output, so it is self-contained; returns the files copied. */
export async function copyAssets(project: WorkerProject, preset: ResolvedPreset, staging: string): Promise<string[]> {
  if (!project.assets) return [];
  const into = join(staging, assetsOutputDir(preset));
  await cp(project.assets.directory, into, { recursive: true, dereference: true });
  const entries = await readdir(into, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(staging, join(entry.parentPath, entry.name)));
}

/** What Vercel's static file serving does not do of what the `assets` block asks. */
export function assetsWarnings(project: WorkerProject, preset: ResolvedPreset): string[] {
  const assets = project.assets;
  if (!assets || preset.entry === "server") return [];
  const file = relative(project.root, project.configFile);
  const warnings = [
    `${file}: "assets" are served by ${preset.name} as static files at their exact paths (a directory's index.html at its path with "/"): html_handling, not_found_handling and run_worker_first do not apply there`,
  ];
  if (assets.binding) warnings.push(`${file}: "assets.binding" binds ${assets.binding}, which ${preset.name} does not provide; env.${assets.binding} is undefined there`);
  return warnings;
}
