import { definePreset } from "../define";
import { dockerCompose as composeCli } from "../platform-clis";
import { dockerCompose } from "./templates/docker-compose";
import { dockerfile, dockerignore } from "./templates/dockerfile";

export default definePreset({
  name: "docker",
  extends: "node",
  description: "node plus a multi-stage Dockerfile (Node 24 slim, non-root, health check) and docker-compose.yml with MinIO",
  files: {
    Dockerfile: dockerfile,
    "Dockerfile.dockerignore": dockerignore,
    "docker-compose.yml": dockerCompose,
  },
  commands: {
    preview: (ctx) => `docker compose -f ${ctx.outDirFromRoot}/docker-compose.yml up --build`,
  },
  // The compose file brings MinIO, so the app needs no storage settings of the user's.
  deploy: { steps: (ctx) => [{ cli: composeCli, args: ["compose", "-f", `${ctx.outDirFromRoot}/docker-compose.yml`, "up", "-d", "--build"] }] },
});
