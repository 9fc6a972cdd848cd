import { definePreset } from "../define";
import { railway } from "../platform-clis";
import { railwayJson } from "./templates/railway-json";

export default definePreset({
  name: "railway",
  extends: "node",
  description: "Railway: node plus railway.json (build and start commands, health check)",
  files: { "railway.json": railwayJson },
  // Uploads the project to the linked service, which builds it with railway.json's commands.
  deploy: { storage: "remote", steps: () => [{ cli: railway, args: ["up", "--ci"] }] },
});
