import { readFile, stat } from "node:fs/promises";
import { GatewayConfigError } from "./errors";

/**
 * A revocation list kept in a file (`DOTDO_REVOKED`): one token id (`jti`) a line, blank lines
 * and `#` comments ignored. The file is checked on every token, and read again whenever it
 * changed, so a revocation holds from the next request on, with no restart. A file that turns
 * unreadable keeps the last list it had.
 */
export async function revocationFile(path: string): Promise<(jti: string) => Promise<boolean>> {
  let version = "";
  let revoked = new Set<string>();
  const refresh = async () => {
    const stats = await stat(path);
    const current = `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
    if (current === version) return;
    revoked = new Set(
      (await readFile(path, "utf8"))
        .split(/\r?\n/)
        .map((line) => line.replace(/#.*/, "").trim())
        .filter((line) => line !== ""),
    );
    version = current;
  };
  try {
    await refresh();
  } catch (error) {
    throw new GatewayConfigError(`DOTDO_REVOKED=${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return async (jti) => {
    await refresh().catch(() => undefined);
    return revoked.has(jti);
  };
}
