import type { RuntimeTarget } from "../../plugin/targets";

/** `.output/dotdo.json`: what was built, and how to run and ship it. */
export interface DotdoManifest {
  preset: string;
  runtime: RuntimeTarget;
  /** dotdo's version. */
  dotdo: string;
  compatibilityDate: string;
  /** The bundle, relative to the output directory. */
  entry: string;
  /** Shell commands, run from the project root. */
  commands: { preview?: string; deploy?: string };
}

export const MANIFEST_FILE = "dotdo.json";
