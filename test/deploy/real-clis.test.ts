import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "pathe";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { deployProject } from "../../src/cli/deploy/index";
import { DotdoError } from "../../src/runtime/errors";
import { sandbox, type Sandbox } from "./helpers";

// The platform CLIs that run here, run for real: wrangler (a devDependency), docker-compose
// (installed by .ci/run) and kubectl. Each test takes the exact command `dotdo deploy` plans and
// runs the same CLI with it, swapping only the part that would reach the platform for the
// CLI's own offline equivalent.

let box: Sandbox | undefined;
afterEach(() => box?.remove());

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 90_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("cloudflare: wrangler", () => {
  it("refuses to deploy while wrangler is logged out, as `wrangler auth token` tells", async () => {
    // `wrangler whoami` exits 0 when logged out (cloudflare/workers-sdk discussion #17121);
    // `wrangler auth token` (workers-sdk #11682) exits 1 with "Not logged in".
    box = sandbox({ withNodeModules: true });
    const error = await deployProject({ preset: "cloudflare", root: box.root, env: box.env }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DotdoError);
    expect((error as DotdoError).code).toBe("CLI_NOT_LOGGED_IN");
    expect((error as DotdoError).message).toMatch(/^wrangler is not logged in: `wrangler auth token` failed \(.*Not logged in.*\)\. Log in: npx wrangler login, or set CLOUDFLARE_API_TOKEN$/);
  });

  it("plans a `wrangler deploy` that wrangler itself accepts: run with --dry-run, it finds the Worker and every binding", async () => {
    // An API token in the environment counts as logged in for wrangler; this one is never sent anywhere.
    box = sandbox({ withNodeModules: true, env: { CLOUDFLARE_API_TOKEN: "made-up-token" } });
    const plan = await deployProject({ preset: "cloudflare", root: box.root, env: box.env, dryRun: true });
    expect(plan.checks.map((check) => [check.name, check.ok])).toEqual([["wrangler installed", true], ["wrangler logged in", true]]);
    expect(plan.checks[0]?.detail).toBe(join(box.root, "node_modules/.bin/wrangler"));
    expect(plan.commands).toEqual([{ argv: ["wrangler", "deploy", "--config", ".output/wrangler.json"], line: "npx wrangler deploy --config .output/wrangler.json" }]);
    const manifest = JSON.parse(readFileSync(join(plan.outDir, "dotdo.json"), "utf8")) as { commands: { deploy?: string } };
    expect(manifest.commands.deploy).toBe(plan.commands[0]?.line);

    const [bin, ...args] = plan.commands[0]!.argv;
    const result = run(join(box.root, "node_modules/.bin", bin!), [...args, "--dry-run", "--outdir", join(box.root, "..", "wrangler-out")], box.root, box.env);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("--dry-run: exiting now.");
    for (const [name, className] of [["COUNTER", "Counter"], ["NOTES", "Notes"], ["REMINDER", "Reminder"]]) {
      expect(result.output).toMatch(new RegExp(`env\\.${name} \\(${className}\\)\\s+Durable Object`));
    }
  });
});

describe("docker: docker compose", () => {
  it("plans `docker compose -f … up -d --build` on a file docker-compose accepts, resolved from the project root", async () => {
    box = sandbox();
    const plan = await deployProject({ preset: "docker", root: box.root, env: box.env, dryRun: true });
    // https://docs.docker.com/reference/cli/docker/compose/up/: --detach (-d) leaves the
    // containers running in the background; --build builds images before starting them.
    expect(plan.commands.map((command) => command.argv)).toEqual([["docker", "compose", "-f", ".output/docker-compose.yml", "up", "-d", "--build"]]);

    // docker-compose (standalone) reads the same -f file; `config` validates and resolves it
    // without a daemon. The planned command runs from the project root, so this does too.
    const [, , fileFlag, file] = plan.commands[0]!.argv;
    const result = run("docker-compose", [fileFlag!, file!, "config"], box.root, box.env);
    expect(result.status, result.output).toBe(0);
    const config = parseYaml(result.output.slice(result.output.indexOf("services:"))) as { services: Record<string, { build?: { context: string; dockerfile: string } }> };
    expect(Object.keys(config.services).sort()).toEqual(["app", "minio", "minio-init"]);
    expect(config.services.app?.build?.context).toBe(box.root);
  });

  it("is checked by a docker-compose that rejects a broken file (the validator can fail)", async () => {
    box = sandbox();
    const plan = await deployProject({ preset: "docker", root: box.root, env: box.env, dryRun: true });
    const file = join(box.root, plan.commands[0]!.argv[3]!);
    writeFileSync(file, readFileSync(file, "utf8").replace("services:", "services:\n  broken:\n    depends_on: [nowhere]"));
    expect(run("docker-compose", ["-f", file, "config"], box.root, box.env).status).not.toBe(0);
  });
});

describe("k8s: kubectl", () => {
  it("plans `kubectl apply -k` on a directory kubectl builds, whose Deployment runs the image the planned `docker build` tags", async () => {
    box = sandbox();
    const plan = await deployProject({ preset: "k8s", root: box.root, env: box.env, dryRun: true });
    const [build, apply] = plan.commands.map((command) => command.argv);
    expect(apply).toEqual(["kubectl", "apply", "-k", ".output/kustomize"]);
    expect(build?.slice(0, 4)).toEqual(["docker", "build", "-f", ".output/Dockerfile"]);
    const tag = build?.[build.indexOf("-t") + 1];

    // `kubectl apply -k DIR` applies what `kubectl kustomize DIR` builds.
    const result = run("kubectl", ["kustomize", apply![3]!], box.root, box.env);
    expect(result.status, result.output).toBe(0);
    const manifests = parseAllDocuments(result.output).map((document) => document.toJS() as { kind: string; spec: any });
    const deployment = manifests.find((manifest) => manifest.kind === "Deployment");
    expect(deployment?.spec.template.spec.containers.map((container: { image: string }) => container.image)).toEqual([tag]);
  });

  it("finds kubectl not logged in when its context reaches no cluster: `kubectl auth whoami` fails", async () => {
    box = sandbox();
    const kubeconfig = join(box.root, "..", "empty-kubeconfig");
    writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
    const plan = await deployProject({ preset: "k8s", root: box.root, env: { ...box.env, KUBECONFIG: kubeconfig }, dryRun: true });
    const kubectl = plan.checks.filter((check) => check.name.startsWith("kubectl"));
    expect(kubectl.map((check) => [check.name, check.ok])).toEqual([["kubectl installed", true], ["kubectl logged in", false]]);
    expect(kubectl[1]?.error?.code).toBe("CLI_NOT_LOGGED_IN");
    expect(kubectl[1]?.error?.message).toMatch(/^kubectl is not logged in: `kubectl auth whoami` failed \(.+\)\. Log in: kubectl config use-context <your cluster>$/);
  });
});
