import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "pathe";
import { BuildError } from "../errors";
import { PRESETS } from "../registry";
import { MANIFEST_FILE, type DotdoManifest } from "./manifest";

export interface LastBuild {
  outDir: string;
  manifest: DotdoManifest;
}

/** The newest build in `outDir`, or in any preset's default output directory under `root`. */
export async function findLastBuild(root: string, outDir?: string): Promise<LastBuild> {
  const candidates = outDir === undefined ? [...new Set(PRESETS.map((preset) => preset.outDir ?? ".output"))] : [outDir];
  const found = candidates
    .map((dir) => resolve(root, dir))
    .filter((dir) => existsSync(join(dir, MANIFEST_FILE)))
    .sort((a, b) => statSync(join(b, MANIFEST_FILE)).mtimeMs - statSync(join(a, MANIFEST_FILE)).mtimeMs)[0];
  if (found === undefined) {
    throw new BuildError(`No build found (looked for ${candidates.map((dir) => join(dir, MANIFEST_FILE)).join(", ")} in ${resolve(root)}); run dotdo build --preset=<name> first`);
  }
  return { outDir: found, manifest: JSON.parse(await readFile(join(found, MANIFEST_FILE), "utf8")) as DotdoManifest };
}
