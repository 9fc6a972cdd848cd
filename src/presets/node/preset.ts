import { definePreset } from "../define";

export default definePreset({
  name: "node",
  description: "Node.js ≥ 22 server: self-contained .output/server/index.mjs (PORT, HOST, health check, SIGTERM)",
  runtime: "node",
  commands: {
    preview: (ctx) => `node ${ctx.outDirFromRoot}/${ctx.preset.serverDir}/index.mjs`,
  },
});
