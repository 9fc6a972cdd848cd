import { existsSync, readdirSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, relative } from "pathe";
import { BuildError, OutputDirNotEmptyError } from "../errors";
import { MANIFEST_FILE } from "./manifest";

/** Empties `outDir` for a new build, but only when it is empty or holds an earlier dotdo build. */
export async function prepareOutDir(outDir: string, root: string): Promise<void> {
  const fromOut = relative(outDir, root);
  if (fromOut === "" || !fromOut.startsWith("..")) {
    throw new BuildError(`The output directory ${outDir} would contain the project itself; choose a directory inside or beside it`);
  }
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, MANIFEST_FILE))) {
    throw new OutputDirNotEmptyError(outDir);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
}
