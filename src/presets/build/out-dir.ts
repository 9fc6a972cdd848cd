import { existsSync, readdirSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, relative } from "pathe";
import { BuildError, OutputDirNotEmptyError } from "../errors";
import { MANIFEST_FILE } from "./manifest";

/** Refuses an output directory that holds the project, or anything but an earlier dotdo build. */
export function assertReplaceable(outDir: string, root: string): void {
  const fromOut = relative(outDir, root);
  if (fromOut === "" || !fromOut.startsWith("..")) {
    throw new BuildError(`The output directory ${outDir} would contain the project itself; choose a directory inside or beside it`);
  }
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, MANIFEST_FILE))) {
    throw new OutputDirNotEmptyError(outDir);
  }
}

/**
 * Runs `write` against an empty staging directory beside `outDir`, and only when it succeeds
 * puts the result in place of `outDir`: a failed build leaves the previous one untouched.
 */
export async function replaceOutDir<T>(outDir: string, write: (staging: string) => Promise<T>): Promise<T> {
  const staging = `${outDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const result = await write(staging);
    await rm(outDir, { recursive: true, force: true });
    await mkdir(dirname(outDir), { recursive: true });
    await rename(staging, outDir);
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
