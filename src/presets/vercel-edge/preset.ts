import { definePreset } from "../define";
import { outputConfig, vcConfigEdge } from "./templates/build-output";

export default definePreset({
  name: "vercel-edge",
  description: "Vercel Edge Functions (Build Output API v3), sql.js wasm imported statically",
  runtime: "vercel-edge",
  entry: "handler",
  outDir: ".vercel/output",
  serverDir: "functions/index.func",
  files: {
    "config.json": outputConfig,
    "functions/index.func/.vc-config.json": vcConfigEdge,
  },
  commands: {
    deploy: () => "npx vercel deploy --prebuilt",
  },
});
