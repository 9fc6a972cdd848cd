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

/**
 * A platform's own command-line tool, as `dotdo deploy` checks and runs it. Each check is a
 * command the tool documents, judged by its exit status alone.
 */
export interface PlatformCli {
  /** How people call it, e.g. `docker compose`. */
  name: string;
  /** The executable, looked up in the project's `node_modules/.bin`, then on PATH. */
  bin: string;
  /** Usually a dependency of the project: shown to people as `npx <bin>`. */
  npm?: boolean;
  /** Exits 0 when the tool is installed and usable. */
  version: string[];
  /** Exits 0 only when the tool is logged in (or otherwise ready to reach the platform). */
  whoami: string[];
  /** How to install it. */
  install: string;
  /** How to log in, in the tool's own words. */
  login: string;
}

/** One command `dotdo deploy` runs from the project root: a platform CLI and its arguments. */
export interface DeployStep {
  cli: PlatformCli;
  args: string[];
}

/** An environment variable a deploy needs that no file holds, e.g. the service to deploy. */
export interface DeploySetting {
  env: string;
  /** What it is and where to find it. */
  description: string;
}

/** How a preset's output reaches its platform: data, read by `dotdo deploy`. */
export interface DeployDefinition {
  /** Commands run in order after the build; each one's CLI is checked before the build. */
  steps: (ctx: PresetContext, settings: Record<string, string>) => DeployStep[];
  /**
   * `remote`: the deployed app keeps its objects in object storage it must be given (S3
   * credentials, or the storage gateway and a dotdo token). Absent: the platform stores them
   * (Cloudflare) or the output brings its own store (docker's MinIO).
   */
  storage?: "remote";
  /** Variables the steps need, read from the environment. */
  settings?: DeploySetting[];
}

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
  commands?: { preview?: CommandTemplate };
  /** How `dotdo deploy` ships the output. */
  deploy?: DeployDefinition;
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
  commands: { preview?: CommandTemplate };
  deploy?: DeployDefinition;
  /** This preset first, then each preset it extends. */
  chain: string[];
}

export function definePreset(preset: PresetDefinition): PresetDefinition {
  return preset;
}
