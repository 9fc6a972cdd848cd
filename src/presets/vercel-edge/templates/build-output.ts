import type { PresetContext } from "../../define";

/** Build Output API v3 routing: everything goes to the one function. */
export function outputConfig(): object {
  return { version: 3, routes: [{ handle: "filesystem" }, { src: "/(.*)", dest: "/index" }] };
}

export function vcConfigEdge({ project }: PresetContext): object {
  return { runtime: "edge", entrypoint: "index.mjs", envVarsInUse: envVarsInUse(project.vars) };
}

/**
 * Storage and auth settings the runtime reads from the environment (see docs/presets.md and
 * docs/storage.md); an edge function sees only the variables listed here.
 */
export const RUNTIME_ENV = [
  "DOTDO_STORAGE",
  "JWT_TOKEN",
  "DOTDO_GATEWAY_URL",
  "R2_ENDPOINT",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "R2_BUCKET",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "DOTDO_S3_PROVIDER",
  "DOTDO_S3_FORCE_PATH_STYLE",
  "DOTDO_SINGLE_INSTANCE",
];

function envVarsInUse(vars: Record<string, unknown>): string[] {
  return [...RUNTIME_ENV, ...Object.keys(vars)];
}
