import type { PlatformCli } from "./define";

// Each `whoami` is the tool's documented identity or status command, chosen because it exits
// non-zero when the tool cannot act on the platform; test/deploy/ cites the documentation.

/** `wrangler whoami` exits 0 even when logged out; `wrangler auth token` does not. */
export const wrangler: PlatformCli = {
  name: "wrangler",
  bin: "wrangler",
  npm: true,
  version: ["--version"],
  whoami: ["auth", "token"],
  install: "npm i -D wrangler",
  login: "npx wrangler login, or set CLOUDFLARE_API_TOKEN",
};

export const vercel: PlatformCli = {
  name: "vercel",
  bin: "vercel",
  npm: true,
  version: ["--version"],
  whoami: ["whoami"],
  install: "npm i -D vercel",
  login: "npx vercel login",
};

export const fly: PlatformCli = {
  name: "fly",
  bin: "fly",
  version: ["version"],
  whoami: ["auth", "whoami"],
  install: "curl -L https://fly.io/install.sh | sh",
  login: "fly auth login, or set FLY_API_TOKEN",
};

/** Reaching the daemon is what `docker build` and `docker compose up` need. */
export const docker: PlatformCli = {
  name: "docker",
  bin: "docker",
  version: ["--version"],
  whoami: ["info"],
  install: "https://docs.docker.com/engine/install/",
  login: "start the Docker daemon, or point DOCKER_HOST at one",
};

export const dockerCompose: PlatformCli = {
  ...docker,
  name: "docker compose",
  version: ["compose", "version"],
  install: "the Docker Compose plugin: https://docs.docker.com/compose/install/",
};

/** `kubectl auth whoami` asks the cluster of the current context who the credentials are. */
export const kubectl: PlatformCli = {
  name: "kubectl",
  bin: "kubectl",
  version: ["version", "--client"],
  whoami: ["auth", "whoami"],
  install: "https://kubernetes.io/docs/tasks/tools/",
  login: "kubectl config use-context <your cluster>",
};

export const railway: PlatformCli = {
  name: "railway",
  bin: "railway",
  version: ["--version"],
  whoami: ["whoami"],
  install: "npm i -g @railway/cli",
  login: "railway login, or set RAILWAY_TOKEN",
};

export const render: PlatformCli = {
  name: "render",
  bin: "render",
  version: ["--version"],
  whoami: ["whoami"],
  install: "https://render.com/docs/cli",
  login: "render login, or set RENDER_API_KEY",
};
