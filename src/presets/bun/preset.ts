import { definePreset } from "../define";

/**
 * Flags the server runs under. Bun takes request heads of 16 KiB unless told; workerd takes
 * 128 KiB (Cloudflare's limit), so a large cookie would get 431 only here.
 */
export const BUN_FLAGS = ["--max-http-header-size=131072"];

export default definePreset({
  name: "bun",
  description: "Bun server on Bun.serve: .output/server/index.mjs",
  runtime: "bun",
  commands: { preview: (ctx) => `bun ${BUN_FLAGS.join(" ")} ${ctx.outDirFromRoot}/${ctx.preset.serverDir}/index.mjs` },
});
