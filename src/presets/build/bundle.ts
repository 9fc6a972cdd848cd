import { build, type BuildOptions, type Message } from "esbuild";
import { join } from "pathe";
import type { WorkerProject } from "../../plugin/config";
import { ENTRY_ID } from "../../plugin/entry";
import { dotdoEsbuild } from "../../plugin/esbuild";
import type { ResolvedPreset } from "../define";
import { BuildError } from "../errors";

export const BUNDLE_FILE = "index.mjs";

/** esbuild options that bundle the project for the preset's runtime into `serverDir`. */
export function bundleOptions(project: WorkerProject, preset: ResolvedPreset, serverDir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: project.root,
    entryPoints: { index: ENTRY_ID },
    outdir: serverDir,
    outExtension: { ".js": ".mjs" },
    // Storage backends are imported on demand: only the one DOTDO_STORAGE names is loaded.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    target: "es2022",
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
    define: project.define,
    alias: project.alias,
    plugins: [dotdoEsbuild({ preset: preset.name, project })],
  };
}

/** Bundles the project into `serverDir`; returns the names the bundle exports. */
export async function bundle(project: WorkerProject, preset: ResolvedPreset, serverDir: string): Promise<string[]> {
  try {
    const { metafile } = await build(bundleOptions(project, preset, serverDir));
    const output = metafile.outputs[join(serverDir, BUNDLE_FILE).slice(project.root.length + 1)] ?? Object.values(metafile.outputs).find((o) => o.entryPoint);
    return output?.exports ?? [];
  } catch (error) {
    throw bundleError(error, project, preset);
  }
}

/** A typed error thrown inside the plugin comes out as is; esbuild's own errors become a BuildError. */
function bundleError(error: unknown, project: WorkerProject, preset: ResolvedPreset): Error {
  const errors = (error as { errors?: Message[] }).errors;
  const detail: unknown = errors?.[0]?.detail;
  if (detail instanceof Error && "code" in detail) return detail;
  const text = errors?.map(formatMessage).join("\n") ?? (error as Error).message;
  return new BuildError(`Bundling ${project.main} for ${preset.name} failed:\n${text}`, { cause: error });
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : "";
  return `  ${where}${message.text}`;
}
