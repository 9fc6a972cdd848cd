import type { WorkerProject } from "../plugin/config";
import type { EntryKind, RuntimeTarget } from "../plugin/targets";

/** What a template sees when it renders one platform file. */
export interface PresetContext {
  project: WorkerProject;
  preset: ResolvedPreset;
  /** Absolute output directory. */
  outDir: string;
  /** The output directory relative to the project root, e.g. `.output`. */
  outDirFromRoot: string;
  /** The project root relative to the output directory, e.g. `..`. */
  rootFromOutDir: string;
  dotdoVersion: string;
  compatibilityDate: string;
}

/** Renders one file; objects are written as pretty JSON. */
export type Template = (ctx: PresetContext) => string | object;

/** Renders a shell command run from the project root. */
export type CommandTemplate = (ctx: PresetContext) => string;

/** A preset is data: the fields it sets override the preset it `extends`. */
export interface PresetDefinition {
  name: string;
  /** One line for `dotdo presets`. */
  description: string;
  extends?: string;
  runtime?: RuntimeTarget;
  /** A `server` listens on PORT; a `handler` exports the Worker for a platform that calls it (default `server`). */
  entry?: EntryKind;
  /** Default output directory, relative to the project root. */
  outDir?: string;
  /** Where the bundle and the wasm go inside the output directory. */
  serverDir?: string;
  /** Platform files, keyed by path inside the output directory; `false` drops an inherited file. */
  files?: Record<string, Template | false>;
  commands?: { preview?: CommandTemplate; deploy?: CommandTemplate };
}

/** A preset with its `extends` chain applied. */
export interface ResolvedPreset {
  name: string;
  description: string;
  runtime: RuntimeTarget;
  entry: EntryKind;
  outDir: string;
  serverDir: string;
  files: Record<string, Template>;
  commands: { preview?: CommandTemplate; deploy?: CommandTemplate };
  /** This preset first, then each preset it extends. */
  chain: string[];
}

export function definePreset(preset: PresetDefinition): PresetDefinition {
  return preset;
}
