import type { PresetContext } from "../../define";

/** Permissions the server needs: env (PORT, storage settings), net, and files for wasm and storage. */
export const DENO_PERMISSIONS = ["--allow-env", "--allow-net", "--allow-read", "--allow-write"];

export function denoJson({ preset }: PresetContext): object {
  return { tasks: { start: `deno run ${DENO_PERMISSIONS.join(" ")} ${preset.serverDir}/index.mjs` } };
}
