import { existsSync } from "node:fs";
import { join } from "pathe";
import { afterEach, describe, expect, it } from "vitest";
import { saveSession } from "../../src/cli/auth/session-store";
import { setSetting } from "../../src/cli/auth/settings";
import { deployProject } from "../../src/cli/deploy/index";
import { DotdoError } from "../../src/runtime/errors";
import { fakeClis, S3_ENV, sandbox, type Sandbox } from "./helpers";

// fly, render, docker's daemon and a cluster cannot run here (no accounts, no daemon): these
// tests put stand-ins for them on PATH to test dotdo's own checks and the commands it runs.
// Where the real CLI runs here (wrangler, docker-compose, kubectl), real-clis.test.ts uses it.

let box: Sandbox | undefined;
afterEach(() => box?.remove());

function setup(clis: string[], env: NodeJS.ProcessEnv = {}) {
  box = sandbox();
  const fakes = fakeClis(join(box.root, ".."), clis);
  const run = (preset: string, extra: NodeJS.ProcessEnv = {}, dryRun = false) =>
    deployProject({ preset, root: box!.root, dryRun, env: { ...box!.env, PATH: fakes.path, ...env, ...extra } });
  return { box, fakes, run };
}

async function failure(promise: Promise<unknown>): Promise<DotdoError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof DotdoError)) throw new Error(`expected a DotdoError, got ${String(error)}`);
  return error;
}

describe("dotdo deploy: the platform CLI", () => {
  it("stops before building when the CLI is not installed, saying how to install it", async () => {
    const { box, run } = setup([], S3_ENV);
    const error = await failure(run("fly"));
    expect(error.code).toBe("CLI_NOT_INSTALLED");
    expect(error.message).toBe("fly was not found in node_modules/.bin or on PATH. Install it: curl -L https://fly.io/install.sh | sh");
    expect(existsSync(join(box.root, ".output"))).toBe(false);
  });

  it("stops when the CLI's own status command fails, quoting it and saying how to log in", async () => {
    const { box, fakes, run } = setup(["fly"], { ...S3_ENV, FAKE_CLI_FAIL: "fly auth whoami" });
    const error = await failure(run("fly"));
    expect(error.code).toBe("CLI_NOT_LOGGED_IN");
    expect(error.message).toBe("fly is not logged in: `fly auth whoami` failed (fake fly: refused auth whoami). Log in: fly auth login, or set FLY_API_TOKEN");
    expect(fakes.calls()).toEqual([`${box.root}|fly version`, `${box.root}|fly auth whoami`]);
    expect(existsSync(join(box.root, ".output"))).toBe(false);
  });

  it("calls a CLI that is installed but does not run not installed", async () => {
    // The docker client without the compose plugin: `docker compose version` fails.
    const { run } = setup(["docker"], { FAKE_CLI_FAIL: "docker compose version" });
    const error = await failure(run("docker"));
    expect(error.code).toBe("CLI_NOT_INSTALLED");
    expect(error.message).toMatch(/^docker compose is not usable: `docker compose version` failed \(fake docker: refused compose version\)\. Install it: the Docker Compose plugin/);
  });

  it("runs the steps in order from the project root once every check passes, with the files they name built", async () => {
    const { box, fakes, run } = setup(["docker", "kubectl"], S3_ENV);
    const result = await run("k8s");
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ["storage", true],
      ["docker installed", true],
      ["docker logged in", true],
      ["kubectl installed", true],
      ["kubectl logged in", true],
    ]);
    expect(fakes.calls()).toEqual([
      `${box.root}|docker --version`,
      `${box.root}|docker info`,
      `${box.root}|kubectl version --client`,
      `${box.root}|kubectl auth whoami`,
      `${box.root}|docker build -f .output/Dockerfile -t fixture-app:latest .`,
      `${box.root}|kubectl apply -k .output/kustomize`,
    ]);
    for (const file of [".output/Dockerfile", ".output/kustomize/kustomization.yaml"]) expect(existsSync(join(box.root, file)), file).toBe(true);
  });

  it("stops at the first command that fails and names the ones not run", async () => {
    const { box, fakes, run } = setup(["render"], { ...S3_ENV, RENDER_SERVICE_ID: "srv-123", FAKE_CLI_FAIL: "render blueprints validate*" });
    const error = await failure(run("render"));
    expect(error.code).toBe("DEPLOY_STEP_FAILED");
    expect(error.message).toBe("`render blueprints validate .output/render.yaml` exited with status 3; not run: render deploys create srv-123 --wait --confirm");
    expect(fakes.calls().at(-1)).toBe(`${box.root}|render blueprints validate .output/render.yaml`);
  });
});

describe("dotdo deploy: storage and settings", () => {
  it("refuses a platform whose app would have no storage, naming the settings and both ways to give them", async () => {
    const { box, run } = setup(["fly"]);
    const error = await failure(run("fly"));
    expect(error.code).toBe("STORAGE_SETTINGS_MISSING");
    expect(error.message).toContain("missing: storage.endpoint (R2_ENDPOINT), storage.accessKeyId (R2_ACCESS_KEY_ID), storage.secretAccessKey (R2_SECRET_ACCESS_KEY)");
    expect(error.message).toContain("`dotdo config set storage.endpoint https://…`");
    expect(error.message).toContain("DOTDO_GATEWAY_URL=https://… and `dotdo login`");
    expect(existsSync(join(box.root, ".output"))).toBe(false);
  });

  it("takes the storage settings from `dotdo config` as well as from the environment", async () => {
    const { box, run } = setup(["fly"]);
    for (const [key, value] of [["storage.endpoint", S3_ENV.R2_ENDPOINT], ["storage.accessKeyId", "id"], ["storage.secretAccessKey", "secret"]] as const) {
      await setSetting(key, value, box.env);
    }
    const result = await run("fly");
    expect(result.checks.find((check) => check.name === "storage")).toEqual({ name: "storage", ok: true, detail: "s3" });
  });

  it("with a storage gateway, needs the dotdo token: refused before `dotdo login`, accepted after", async () => {
    const { box, run } = setup(["vercel"], { DOTDO_GATEWAY_URL: "https://gateway.example" });
    const error = await failure(run("vercel-edge"));
    expect(error.code).toBe("NOT_LOGGED_IN");
    expect(error.message).toBe("Not logged in. Run `dotdo login`.");

    // What `dotdo login` stores; the token is not verified again until it expires.
    await saveSession({ issuer: "https://oauth.do", clientId: "dotdo-cli", accessToken: "a.b.c", expiresAt: Date.now() + 3_600_000 }, box.env);
    const result = await run("vercel-edge");
    expect(result.checks.find((check) => check.name === "storage")).toEqual({ name: "storage", ok: true, detail: "gateway" });
  });

  it("needs no storage settings where the platform or the output holds the objects (cloudflare, docker)", async () => {
    const { run } = setup(["docker", "wrangler"]);
    for (const preset of ["cloudflare", "docker"]) {
      const result = await run(preset);
      expect(result.checks.map((check) => check.name)).not.toContain("storage");
    }
  });

  it("names every problem at once when more than one check fails, each with its own code", async () => {
    const { run } = setup([]);
    const error = await failure(run("render"));
    expect(error.code).toBe("DEPLOY_NOT_READY");
    const problems = (error as DotdoError & { problems: DotdoError[] }).problems;
    expect(problems.map((problem) => problem.code)).toEqual(["DEPLOY_SETTING_MISSING", "STORAGE_SETTINGS_MISSING", "CLI_NOT_INSTALLED"]);
    expect(error.message).toMatch(/^Cannot deploy render yet:\n {2}- RENDER_SERVICE_ID is not set: the service's id \(srv-…\).* \[DEPLOY_SETTING_MISSING\]\n {2}- .* \[STORAGE_SETTINGS_MISSING\]\n {2}- render was not found .* \[CLI_NOT_INSTALLED\]$/);
  });

  it("refuses a preset with no platform, listing those that have one", async () => {
    const { run } = setup([]);
    const error = await failure(run("node"));
    expect(error.code).toBe("NO_DEPLOY");
    expect(error.message).toBe("The node preset has no platform to deploy to: run its output yourself (npx dotdo preview), or deploy with one of cloudflare, vercel-edge, vercel, docker, k8s, fly, render, railway");
  });
});

describe("dotdo deploy --dry-run", () => {
  it("reports failed checks instead of stopping, builds, and runs nothing but the checks", async () => {
    const { box, fakes, run } = setup(["fly"], { FAKE_CLI_FAIL: "fly auth whoami" });
    const result = await run("fly", {}, true);
    expect(result.dryRun).toBe(true);
    expect(result.checks.filter((check) => !check.ok).map((check) => check.error?.code)).toEqual(["STORAGE_SETTINGS_MISSING", "CLI_NOT_LOGGED_IN"]);
    expect(result.commands).toEqual([
      { argv: ["fly", "deploy", "--config", ".output/fly.toml", "--dockerfile", ".output/Dockerfile"], line: "fly deploy --config .output/fly.toml --dockerfile .output/Dockerfile" },
    ]);
    expect(result.files).toEqual(expect.arrayContaining(["fly.toml", "Dockerfile", "dotdo.json"]));
    for (const file of result.files) expect(existsSync(join(result.outDir, file)), file).toBe(true);
    expect(fakes.calls()).toEqual([`${box.root}|fly version`, `${box.root}|fly auth whoami`]);
  });
});
