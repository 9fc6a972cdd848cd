import { definePreset } from "../define";
import { railwayJson } from "./templates/railway-json";

export default definePreset({
  name: "railway",
  extends: "node",
  description: "Railway: node plus railway.json (build and start commands, health check)",
  files: { "railway.json": railwayJson },
  commands: { deploy: () => "railway up" },
});
