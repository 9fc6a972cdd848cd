import { definePreset } from "../define";
import { vcConfigNode } from "./templates/vc-config";

export default definePreset({
  name: "vercel",
  extends: "vercel-edge",
  description: "Vercel Functions on the Node.js runtime (Build Output API v3)",
  runtime: "node",
  files: { "functions/index.func/.vc-config.json": vcConfigNode },
});
