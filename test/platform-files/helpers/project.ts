import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { parse as parseYaml } from "yaml";
import { buildProject, type BuildResult } from "../../../src/presets/build/index";

export const FIXTURES = resolve(import.meta.dirname, "../../fixtures");

export interface BuiltProject {
  /** The project copy the build ran in. */
  root: string;
  build: BuildResult;
  /** Absolute path of a file in the output directory. */
  path(file: string): string;
  text(file: string): string;
  json(file: string): Record<string, any>;
  yaml(file: string): Record<string, any>;
  remove(): void;
}

/**
 * Copies a fixture project to a temporary directory and builds it there with the preset's default
 * output directory, so generated files see the layout a user has (`.output/` under the project).
 */
export async function buildInProject(preset: string, fixture = "app"): Promise<BuiltProject> {
  const scratch = mkdtempSync(join(tmpdir(), `dotdo-files-${preset}-`));
  const root = join(scratch, "project");
  cpSync(join(FIXTURES, fixture), root, { recursive: true, filter: (source) => !/[\\/]\.(output|vercel|wrangler|dotdo)$/.test(source) });
  const build = await buildProject({ root, preset }).catch((error: unknown) => {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  });
  const path = (file: string) => join(build.outDir, file);
  const text = (file: string) => readFileSync(path(file), "utf8");
  return {
    root,
    build,
    path,
    text,
    json: (file) => JSON.parse(text(file)) as Record<string, any>,
    yaml: (file) => parseYaml(text(file)) as Record<string, any>,
    remove: () => rmSync(scratch, { recursive: true, force: true }),
  };
}
