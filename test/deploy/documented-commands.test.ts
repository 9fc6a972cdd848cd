import { existsSync, readFileSync } from "node:fs";
import { join } from "pathe";
import { afterEach, describe, expect, it } from "vitest";
import { deployProject, type DeployResult } from "../../src/cli/deploy/index";
import { DotdoError } from "../../src/runtime/errors";
import { S3_ENV, sandbox, type Sandbox } from "./helpers";

// vercel, fly, railway and render cannot deploy or even log in here, so their commands are
// checked against each CLI's documentation, cited at each case: the subcommand, every flag,
// and every path the command names existing where the command runs (the project root).

let box: Sandbox | undefined;
afterEach(() => box?.remove());

async function plan(preset: string, env: NodeJS.ProcessEnv = {}, outDir?: string): Promise<DeployResult> {
  // No PATH: whatever CLIs this machine has, the plan is the same and no check runs one.
  box = sandbox({ env: { ...S3_ENV, PATH: "", ...env } });
  return deployProject({ preset, root: box.root, env: box.env, dryRun: true, ...(outDir === undefined ? {} : { outDir }) });
}

const argv = (result: DeployResult) => result.commands.map((command) => command.argv);

function expectFileFromRoot(path: string | undefined): void {
  expect(path, "a path argument").toBeDefined();
  expect(existsSync(join(box!.root, path!)), path).toBe(true);
}

describe("vercel and vercel-edge: vercel deploy --prebuilt", () => {
  // https://vercel.com/docs/cli/deploy: `vercel deploy --prebuilt` deploys a prebuilt project
  // from the directory it runs in; https://vercel.com/docs/cli/build: the prebuilt output is
  // .vercel/output (Build Output API). `vercel whoami` prints the logged-in user.
  for (const preset of ["vercel-edge", "vercel"]) {
    it(`${preset}: deploys .vercel/output of the project root, where the build put config.json and the function`, async () => {
      const result = await plan(preset);
      expect(argv(result)).toEqual([["vercel", "deploy", "--prebuilt"]]);
      expect(result.outDir).toBe(join(box!.root, ".vercel/output"));
      expectFileFromRoot(".vercel/output/config.json");
      expectFileFromRoot(".vercel/output/functions/index.func/.vc-config.json");
      expect(result.checks.filter((check) => check.command).map((check) => check.command)).toEqual([]);
      expect(result.checks.find((check) => check.name === "vercel installed")?.error?.message).toBe("vercel was not found in node_modules/.bin or on PATH. Install it: npm i -D vercel");
    });
  }

  it("refuses an output directory vercel deploy --prebuilt would not read, before building", async () => {
    const error = await plan("vercel-edge", {}, "dist/vercel").catch((caught: unknown) => caught);
    expect((error as DotdoError).code).toBe("DEPLOY_CONFIG_INVALID");
    expect((error as DotdoError).message).toBe("vercel deploy --prebuilt reads .vercel/output only; build into it (drop --outDir dist/vercel)");
    expect(existsSync(join(box!.root, "dist"))).toBe(false);
  });
});

describe("fly: fly deploy", () => {
  it("passes the generated fly.toml and Dockerfile with the flags fly documents, from the project root as build context", async () => {
    const result = await plan("fly");
    // https://fly.io/docs/flyctl/deploy/ and https://fly.io/docs/launch/monorepo/: `--config`
    // is the path to fly.toml, `--dockerfile` the path to the Dockerfile, and the working
    // directory (default: the current one) is the build context, which the Dockerfile expects.
    expect(argv(result)).toEqual([["fly", "deploy", "--config", ".output/fly.toml", "--dockerfile", ".output/Dockerfile"]]);
    const [, , , config, , dockerfile] = argv(result)[0]!;
    expectFileFromRoot(config);
    expectFileFromRoot(dockerfile);
    expect(readFileSync(join(box!.root, dockerfile!), "utf8")).toMatch(/COPY \. \./);
  });
});

describe("railway: railway up", () => {
  it("uploads the project with `railway up --ci`, which waits for the build and fails with it", async () => {
    const result = await plan("railway");
    // https://docs.railway.com/cli lists `up` (deploy) and `whoami` (authentication); the CLI's
    // up.rs (railwayapp/cli src/commands/up.rs) documents `--ci`: "Stream build logs only, then
    // exit", exiting 1 when the deployment fails, and uploads the current directory.
    expect(argv(result)).toEqual([["railway", "up", "--ci"]]);
    expectFileFromRoot(".output/railway.json");
  });
});

describe("render: render blueprints validate, render deploys create", () => {
  it("validates the generated Blueprint, then deploys the service named by RENDER_SERVICE_ID and waits for it", async () => {
    const result = await plan("render", { RENDER_SERVICE_ID: "srv-d1abc" });
    // https://render.com/tutorials/render-cli-power-user/blueprints-and-skills:
    // `render blueprints validate path/to/render.yaml` (exit 0 when valid, no API key needed);
    // https://render.com/tutorials/render-cli-power-user/deploys: `render deploys create
    // <SERVICE_ID>` with `--wait` (exit status follows the deploy) and `--confirm` (no prompt),
    // which https://render.com/docs/cli-reference lists among the global options.
    expect(argv(result)).toEqual([
      ["render", "blueprints", "validate", ".output/render.yaml"],
      ["render", "deploys", "create", "srv-d1abc", "--wait", "--confirm"],
    ]);
    expectFileFromRoot(argv(result)[0]![3]);
    expect(result.checks.find((check) => check.name === "RENDER_SERVICE_ID")).toEqual({ name: "RENDER_SERVICE_ID", ok: true });
  });

  it("shows the service id as the variable in dotdo.json's deploy command, where no id is known yet", async () => {
    const result = await plan("render");
    const manifest = JSON.parse(readFileSync(join(result.outDir, "dotdo.json"), "utf8")) as { commands: { deploy?: string } };
    expect(manifest.commands.deploy).toBe("render blueprints validate .output/render.yaml && render deploys create $RENDER_SERVICE_ID --wait --confirm");
    expect(result.checks.find((check) => check.name === "RENDER_SERVICE_ID")?.error?.code).toBe("DEPLOY_SETTING_MISSING");
  });
});
