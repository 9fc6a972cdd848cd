import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { buildFixture } from "../presets/harness/outputs";
import { startServer } from "../presets/harness/process";
import { workerdOptions } from "../presets/harness/workerd";

const REPO = resolve(import.meta.dirname, "../..");
export const PLAYGROUND = join(REPO, "playground");

/** The playground, served on one target. */
export interface Served {
  url: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * What `npm run playground -- --preset=<preset>` runs after building dotdo (the tests run on
 * the package `npm test` built): the playground's runner, with its output and state kept in a
 * scratch directory.
 */
export async function runPlayground(preset: "node" | "bun" | "deno"): Promise<Served> {
  const scratch = mkdtempSync(join(tmpdir(), `dotdo-playground-${preset}-`));
  const server = await startServer(process.execPath, [join(PLAYGROUND, "run.mjs"), `--preset=${preset}`, "--outDir", join(scratch, "out")], REPO, {
    DOTDO_STORAGE: `file:${join(scratch, "state")}`,
    // As under `npm run`: bun and deno come from the repository's node_modules.
    PATH: `${join(REPO, "node_modules", ".bin")}:${process.env.PATH}`,
  });
  return {
    url: server.url,
    output: server.output,
    async stop() {
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** The cloudflare output on workerd, through miniflare, as `wrangler dev` would serve it. */
export async function runOnWorkerd(): Promise<Served> {
  const output = await buildFixture("cloudflare", PLAYGROUND);
  const options = workerdOptions(output);
  const mf = new Miniflare({ ...options, assets: { ...options.assets!, routerConfig: { has_user_worker: true } }, host: "127.0.0.1", port: 0 });
  const url = await mf.ready;
  return {
    url: url.origin,
    output: () => "",
    async stop() {
      await mf.dispose();
      output.remove();
    },
  };
}
