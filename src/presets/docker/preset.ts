import { definePreset } from "../define";
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
    deploy: (ctx) => `docker build -f ${ctx.outDirFromRoot}/Dockerfile -t ${ctx.project.name} .`,
  },
});
