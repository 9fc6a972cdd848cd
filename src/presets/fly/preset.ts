import { dockerfile, dockerignore } from "../docker/templates/dockerfile";
import { definePreset } from "../define";
import { flyToml } from "./templates/fly-toml";

export default definePreset({
  name: "fly",
  extends: "node",
  description: "fly.io: node plus fly.toml (auto stop and start, health check) and the Dockerfile fly builds",
  files: {
    "fly.toml": flyToml,
    Dockerfile: dockerfile,
    "Dockerfile.dockerignore": dockerignore,
  },
  commands: {
    deploy: (ctx) => `fly deploy --config ${ctx.outDirFromRoot}/fly.toml --dockerfile ${ctx.outDirFromRoot}/Dockerfile`,
  },
});
