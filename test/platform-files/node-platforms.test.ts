import { existsSync } from "node:fs";
import { join, relative } from "pathe";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_PATH } from "../../src/plugin/targets";
import { SECRET_ENV } from "../../src/presets/node/secret-env";
import { startServer } from "../presets/harness/process";
import { runDotdoStep } from "./helpers/cli";
import { expectServerDockerfile } from "./helpers/expect-dockerfile";
import { buildInProject, type BuiltProject } from "./helpers/project";

const built: Record<string, BuiltProject> = {};

beforeAll(async () => {
  for (const preset of ["fly", "render", "railway"]) built[preset] = await buildInProject(preset);
});
afterAll(() => Object.values(built).forEach((project) => project.remove()));

/** The bundle path as a user's start command names it, from the project root. */
function entryFromRoot(project: BuiltProject): string {
  return join(relative(project.root, project.build.outDir), project.build.manifest.entry);
}

/**
 * Runs a platform's start command from the project root, as the platform would after its build,
 * and asks the health path the platform file names.
 */
async function expectStartCommandServesHealth(project: BuiltProject, startCommand: string, healthPath: string): Promise<void> {
  const [bin, ...args] = startCommand.split(/\s+/);
  expect(bin).toBe("node");
  const server = await startServer(process.execPath, args, project.root, { DOTDO_STORAGE: `file:${join(project.root, ".dotdo")}` });
  try {
    expect((await fetch(`${server.url}${healthPath}`)).status, server.output()).toBe(200);
  } finally {
    expect(await server.stop(), server.output()).toBe(0);
  }
}

describe("fly preset", () => {
  it("writes a fly.toml (parsed as TOML) that stops idle machines, starts them on request, and checks the runtime's health path", () => {
    const fly = parseToml(built.fly!.text("fly.toml")) as Record<string, any>;
    expect(fly.app).toBe(built.fly!.build.project.name);
    expect(fly.http_service).toMatchObject({ auto_stop_machines: "stop", auto_start_machines: true, min_machines_running: 0 });
    expect(fly.http_service.checks).toEqual([expect.objectContaining({ method: "GET", path: HEALTH_PATH })]);
    // Stopping a machine sends kill_signal; objects checkpoint on SIGTERM within kill_timeout.
    expect(fly.kill_signal).toBe("SIGTERM");
    expect(fly.kill_timeout).toMatch(/^\d+s$/);
    // The secrets are set with `fly secrets set`, never written into the file.
    for (const key of SECRET_ENV) expect(fly.env).not.toHaveProperty(key);

    const image = expectServerDockerfile(built.fly!.text("Dockerfile"), built.fly!.build.manifest);
    expect(String(fly.http_service.internal_port)).toBe(image.env.PORT);
    expect(fly.env.PORT).toBe(image.env.PORT);
  });

  it("names files in its deploy command that the build wrote", () => {
    const deploy = built.fly!.build.manifest.commands.deploy ?? "";
    const paths = [...deploy.matchAll(/--(?:config|dockerfile) (\S+)/g)].map((match) => match[1]!);
    expect(paths).toHaveLength(2);
    for (const path of paths) expect(existsSync(join(built.fly!.root, path)), path).toBe(true);
  });
});

describe("render preset", () => {
  it("writes a render.yaml Blueprint (parsed as YAML): a Node web service whose build and start commands and health path fit the build", () => {
    const blueprint = built.render!.yaml("render.yaml");
    expect(blueprint.services).toHaveLength(1);
    const [service] = blueprint.services;
    expect(service).toMatchObject({ type: "web", runtime: "node", name: built.render!.build.project.name, healthCheckPath: HEALTH_PATH });
    expect(service.buildCommand).toMatch(/(^|&& )npx dotdo build --preset=render$/);
    expect(service.startCommand).toBe(`node ${entryFromRoot(built.render!)}`);

    const env: Record<string, { value?: string; sync?: boolean }> = Object.fromEntries(
      (service.envVars as { key: string; value?: string; sync?: boolean }[]).map(({ key, ...rest }) => [key, rest]),
    );
    expect(Number(env.NODE_VERSION?.value)).toBeGreaterThanOrEqual(22);
    expect(env.DOTDO_STORAGE?.value).toMatch(/^s3:\/\//);
    // Secrets are declared for the dashboard (sync: false) and carry no value.
    for (const key of SECRET_ENV) expect(env[key], key).toEqual({ sync: false });
  });

  it("has a build command (its dotdo step run through dotdo's CLI) and a start command that, run from the project root, serve the health path", async () => {
    const [service] = built.render!.yaml("render.yaml").services;
    await runDotdoStep(service.buildCommand, built.render!.root);
    await expectStartCommandServesHealth(built.render!, service.startCommand, service.healthCheckPath);
  });
});

describe("railway preset", () => {
  it("writes a railway.json (parsed as JSON) with the build command, start command, health check and restart policy", () => {
    const railway = built.railway!.json("railway.json");
    expect(railway.$schema).toBe("https://railway.com/railway.schema.json");
    expect(railway.build.buildCommand).toBe("npx dotdo build --preset=railway");
    expect(["NIXPACKS", "RAILPACK", "DOCKERFILE"]).toContain(railway.build.builder);
    expect(railway.deploy).toMatchObject({ startCommand: `node ${entryFromRoot(built.railway!)}`, healthcheckPath: HEALTH_PATH, restartPolicyType: "ON_FAILURE" });
    expect(railway.deploy.healthcheckTimeout).toBeGreaterThan(0);
  });

  it("has a build command (run through dotdo's CLI) and a start command that, run from the project root, serve the health path", async () => {
    const { build, deploy } = built.railway!.json("railway.json");
    await runDotdoStep(build.buildCommand, built.railway!.root);
    await expectStartCommandServesHealth(built.railway!, deploy.startCommand, deploy.healthcheckPath);
  });
});
