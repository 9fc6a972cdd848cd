import type { PresetContext } from "../../define";

/**
 * Permissions the server needs: env (PORT, storage settings), net, files for the wasm and the
 * file store, and the host name, which the file store's locks record.
 */
export const DENO_PERMISSIONS = ["--allow-env", "--allow-net", "--allow-read", "--allow-write", "--allow-sys=hostname"];

export function denoJson({ preset }: PresetContext): object {
  return { tasks: { start: `deno run ${DENO_PERMISSIONS.join(" ")} ${preset.serverDir}/index.mjs` } };
}
