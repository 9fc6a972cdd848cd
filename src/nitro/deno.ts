import { readFile, writeFile } from "node:fs/promises";
import type { Nitro } from "nitropack/types";
import { join } from "pathe";
import { DENO_SYS_PERMISSION } from "../presets/deno/templates/deno-json";

/**
 * Adds what dotdo's runtime needs beyond Nitro's deno-server permissions, the system
 * information in `DENO_SYS_PERMISSION`, to the start task Nitro's deno-server preset writes
 * into `deno.json` (run after Nitro's own `compiled` hook, which writes it).
 */
export async function allowSystemInfo(nitro: Nitro): Promise<void> {
  const path = join(nitro.options.output.dir, "deno.json");
  const config = JSON.parse(await readFile(path, "utf8")) as { tasks?: { start?: string } };
  const start = config.tasks?.start;
  if (start === undefined || start.includes("--allow-sys")) return;
  config.tasks = { ...config.tasks, start: start.replace(/^deno run /, `deno run ${DENO_SYS_PERMISSION} `) };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
}
