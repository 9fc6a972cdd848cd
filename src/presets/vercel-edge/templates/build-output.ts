import type { PresetContext } from "../../define";

/** Build Output API v3 routing: everything goes to the one function. */
export function outputConfig(): object {
  return { version: 3, routes: [{ handle: "filesystem" }, { src: "/(.*)", dest: "/index" }] };
}

export function vcConfigEdge({ project }: PresetContext): object {
  return { runtime: "edge", entrypoint: "index.mjs", envVarsInUse: envVarsInUse(project.vars) };
}

/** Storage and auth settings the runtime reads from the environment (see docs/presets.md). */
export const RUNTIME_ENV = ["DOTDO_STORAGE", "R2_ENDPOINT", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "R2_BUCKET", "JWT_TOKEN"];

function envVarsInUse(vars: Record<string, unknown>): string[] {
  return [...RUNTIME_ENV, ...Object.keys(vars)];
}
