import { definePreset } from "../define";
import { denoJson, DENO_PERMISSIONS } from "./templates/deno-json";

export default definePreset({
  name: "deno",
  description: "Deno server on Deno.serve, with deno.json tasks: .output/server/index.mjs",
  runtime: "deno",
  files: { "deno.json": denoJson },
  commands: {
    preview: (ctx) => `deno run ${DENO_PERMISSIONS.join(" ")} ${ctx.outDirFromRoot}/${ctx.preset.serverDir}/index.mjs`,
  },
});
