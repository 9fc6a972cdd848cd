import type { PresetContext } from "../../define";

/**
 * The system information the runtime reads: the host name, which leases and the file store's
 * locks record; the OS release, which the AWS SDK puts in the user agent of every S3 request
 * (without it every request to an S3 store fails); and the network addresses, from which a
 * replica of a cluster without `DOTDO_ADVERTISE_URL` takes the address it advertises.
 */
export const DENO_SYS_PERMISSION = "--allow-sys=hostname,osRelease,networkInterfaces";

/** Permissions the server needs: env (PORT, storage settings), net, files for the wasm and the file store, and the system information above. */
export const DENO_PERMISSIONS = ["--allow-env", "--allow-net", "--allow-read", "--allow-write", DENO_SYS_PERMISSION];

export function denoJson({ preset }: PresetContext): object {
  return { tasks: { start: `deno run ${DENO_PERMISSIONS.join(" ")} ${preset.serverDir}/index.mjs` } };
}
