import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { buildProject, type BuildResult } from "../../../src/presets/build/index";
import type { DotdoManifest } from "../../../src/presets/build/manifest";

export const FIXTURE_APP = resolve(import.meta.dirname, "../../fixtures/app");

export interface BuiltOutput {
  build: BuildResult;
  /** A copy of the output directory, away from the repository and any node_modules. */
  copy: string;
  manifest: DotdoManifest;
  read(path: string): string;
  remove(): void;
}

/** Builds a fixture (the shared app by default) for `preset` and copies the output somewhere with nothing else around it. */
export async function buildFixture(preset: string, root = FIXTURE_APP): Promise<BuiltOutput> {
  const scratch = mkdtempSync(join(tmpdir(), `dotdo-${preset}-`));
  const build = await buildProject({ root, preset, outDir: join(scratch, "built") });
  const copy = join(scratch, "copy");
  cpSync(build.outDir, copy, { recursive: true });
  rmSync(build.outDir, { recursive: true });
  return {
    build,
    copy,
    manifest: JSON.parse(readFileSync(join(copy, "dotdo.json"), "utf8")) as DotdoManifest,
    read: (path) => readFileSync(join(copy, path), "utf8"),
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}
