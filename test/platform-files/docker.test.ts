import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../presets/harness/process";
import { runDotdoStep } from "./helpers/cli";
import { expectServerDockerfile, type ServerImage } from "./helpers/expect-dockerfile";
import { buildInProject, type BuiltProject } from "./helpers/project";
import { findTool, runTool } from "./helpers/tools";

const compose = findTool("docker-compose", ["version"], "validating docker-compose.yml with `docker-compose config`");
let built: BuiltProject;
let image: ServerImage;
const scratch = mkdtempSync(join(tmpdir(), "dotdo-docker-files-"));

beforeAll(async () => {
  built = await buildInProject("docker");
});
afterAll(() => {
  built?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe("docker preset: Dockerfile", () => {
  it("is two stages on Node 24 slim; the final one copies only the server, runs it as a non-root user in exec form, and checks health", () => {
    image = expectServerDockerfile(built.text("Dockerfile"), built.build.manifest);
    expect(image.env).toMatchObject({ NODE_ENV: "production", HOST: "0.0.0.0" });
    expect(image.env.DOTDO_STORAGE).toMatch(/^file:\//);
  });

  it("ships a server directory that runs alone, and its HEALTHCHECK command passes against it and fails once it stops", async () => {
    // No Docker engine here: the final stage is reproduced as a directory holding only what COPY takes.
    const app = join(scratch, "app");
    cpSync(built.path("server"), join(app, "server"), { recursive: true });
    const server = await startServer(process.execPath, image.cmd.slice(1), app, { ...image.env, DOTDO_STORAGE: `file:${join(scratch, "data")}` });
    const port = new URL(server.url).port;
    const probe = () => runTool(image.healthcheck[0] === "node" ? process.execPath : image.healthcheck[0]!, image.healthcheck.slice(1), { env: { ...process.env, PORT: port } });
    try {
      expect(probe().status, server.output()).toBe(0);
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
    expect(probe().status).toBe(1);
  });

  it("has a build stage whose dotdo step, run through dotdo's CLI, writes the server directory the final stage copies", async () => {
    const out = join(scratch, "out");
    const run = built.text("Dockerfile").match(/^RUN (npx dotdo build .*)$/m)?.[1] ?? "";
    await runDotdoStep(run, built.root, { "/out": out });
    expect(readdirSync(join(out, "server")).sort()).toEqual(readdirSync(built.path("server")).sort());
  });

  it("keeps node_modules, outputs and local state out of the build context", () => {
    expect(built.text("Dockerfile.dockerignore").split("\n")).toEqual(expect.arrayContaining(["node_modules", ".output", ".dotdo", ".wrangler"]));
  });
});

describe("docker preset: docker-compose.yml", () => {
  it.skipIf(!compose.available)("is rejected by docker-compose config when broken (the validator can fail)", () => {
    const broken = join(scratch, "broken.yml");
    writeFileSync(broken, "services:\n  app:\n    image: x\n    depends_on:\n      db:\n        condition: sometimes\n");
    expect(runTool("docker-compose", ["-f", broken, "config"]).status).not.toBe(0);
  });

  it.skipIf(!compose.available)("passes docker-compose config: the app built from the project with the generated Dockerfile, MinIO, and a bucket-creating init step the app waits for", () => {
    const file = built.path("docker-compose.yml");
    const result = runTool("docker-compose", ["-f", file, "config"], { env: { PATH: process.env.PATH ?? "" } });
    expect(result.status, result.stderr).toBe(0);
    const { services } = parseYaml(result.stdout) as { services: Record<string, any> };
    expect(Object.keys(services).sort()).toEqual(["app", "minio", "minio-init"]);

    const { app, minio, "minio-init": init } = services;
    expect(app.build.context).toBe(built.root);
    const dockerfile = resolve(app.build.context, app.build.dockerfile);
    expect(dockerfile).toBe(built.path("Dockerfile"));
    expect(existsSync(dockerfile)).toBe(true);

    const [, bucket] = /^s3:\/\/([^/]+)\//.exec(app.environment.DOTDO_STORAGE) ?? [];
    expect(bucket).toBeDefined();
    expect(app.environment).toMatchObject({ R2_ENDPOINT: "http://minio:9000", R2_BUCKET: bucket });
    // The app's credentials are MinIO's root user, taken from the same variables.
    expect(app.environment.R2_ACCESS_KEY_ID).toBe(minio.environment.MINIO_ROOT_USER);
    expect(app.environment.R2_SECRET_ACCESS_KEY).toBe(minio.environment.MINIO_ROOT_PASSWORD);
    expect(app.depends_on).toEqual({ "minio-init": { condition: "service_completed_successfully" } });

    expect(minio.image).toMatch(/^minio\/minio(:|$)/);
    expect(minio.command).toContain("server");
    expect(minio.healthcheck.test).toBeDefined();
    expect(init.image).toMatch(/^minio\/mc(:|$)/);
    expect(init.depends_on).toEqual({ minio: { condition: "service_healthy" } });
    const script = [init.entrypoint, init.command].flat().filter(Boolean).join(" ");
    // `config` prints a compose file again, so `$$` is still the escape for one `$` that reaches the shell.
    expect(script).toMatch(/mc alias set local http:\/\/minio:9000 \$\$MINIO_ROOT_USER \$\$MINIO_ROOT_PASSWORD/);
    expect(script).toContain(`mc mb --ignore-existing local/${bucket}`);
  });

  it.skipIf(!compose.available)("takes MinIO's credentials from the environment when they are set", () => {
    const env = { PATH: process.env.PATH ?? "", MINIO_ROOT_USER: "operator", MINIO_ROOT_PASSWORD: "from-the-environment" };
    const result = runTool("docker-compose", ["-f", built.path("docker-compose.yml"), "config"], { env });
    expect(result.status, result.stderr).toBe(0);
    const { services } = parseYaml(result.stdout) as { services: Record<string, any> };
    expect(services.app.environment).toMatchObject({ R2_ACCESS_KEY_ID: "operator", R2_SECRET_ACCESS_KEY: "from-the-environment" });
    expect(services.minio.environment).toMatchObject({ MINIO_ROOT_USER: "operator", MINIO_ROOT_PASSWORD: "from-the-environment" });
  });

  it.skipIf(!compose.available)("scales into replicas that share the objects once DOTDO_CLUSTER_SECRET is set", () => {
    const env = { PATH: process.env.PATH ?? "", DOTDO_CLUSTER_SECRET: "a-secret-of-24-characters" };
    const result = runTool("docker-compose", ["-f", built.path("docker-compose.yml"), "config"], { env });
    expect(result.status, result.stderr).toBe(0);
    const { services } = parseYaml(result.stdout) as { services: Record<string, any> };
    // The service's own name resolves to every container: the replicas' membership.
    expect(services.app.environment).toMatchObject({ DOTDO_CLUSTER_SECRET: "a-secret-of-24-characters", DOTDO_PEERS_DNS: "app" });
    // A host port per replica, so `--scale app=N` does not collide on one.
    expect(JSON.stringify(services.app.ports)).toMatch(/3000-3009/);
  });
});
