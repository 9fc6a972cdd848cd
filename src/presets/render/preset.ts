import { definePreset } from "../define";
import { render } from "../platform-clis";
import { renderYaml } from "./templates/render-yaml";

export default definePreset({
  name: "render",
  extends: "node",
  description: "Render: node plus a render.yaml Blueprint (native Node runtime, health check)",
  files: { "render.yaml": renderYaml },
  // Render builds from the repository; the CLI checks the Blueprint and starts a deploy of the service.
  deploy: {
    storage: "remote",
    settings: [{ env: "RENDER_SERVICE_ID", description: "the service's id (srv-…), from the Render Dashboard or `render services`" }],
    steps: (ctx, settings) => [
      { cli: render, args: ["blueprints", "validate", `${ctx.outDirFromRoot}/render.yaml`] },
      { cli: render, args: ["deploys", "create", settings.RENDER_SERVICE_ID ?? "", "--wait", "--confirm"] },
    ],
  },
});
