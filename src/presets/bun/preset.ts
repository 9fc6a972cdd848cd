import { definePreset } from "../define";

export default definePreset({
  name: "bun",
  description: "Bun server on Bun.serve: .output/server/index.mjs",
  runtime: "bun",
  commands: { preview: (ctx) => `bun ${ctx.outDirFromRoot}/${ctx.preset.serverDir}/index.mjs` },
});
