import { definePreset } from "../define";
import { renderYaml } from "./templates/render-yaml";

export default definePreset({
  name: "render",
  extends: "node",
  description: "Render: node plus a render.yaml Blueprint (native Node runtime, health check)",
  files: { "render.yaml": renderYaml },
});
