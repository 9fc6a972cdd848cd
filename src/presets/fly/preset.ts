import { dockerfile, dockerignore } from "../docker/templates/dockerfile";
import { definePreset } from "../define";
import { fly } from "../platform-clis";
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
  deploy: {
    storage: "remote",
    steps: (ctx) => [{ cli: fly, args: ["deploy", "--config", `${ctx.outDirFromRoot}/fly.toml`, "--dockerfile", `${ctx.outDirFromRoot}/Dockerfile`] }],
  },
});
