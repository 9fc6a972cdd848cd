import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../presets/harness/process";

const repo = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-pack-"));
const project = join(scratch, "project");
// npm and npx must run on the same Node as the tests (the machine default may be older).
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, npm_config_update_notifier: "false" };

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let server: RunningServer | undefined;

beforeAll(() => {
  if (!existsSync(join(repo, "dist/cli/index.mjs"))) throw new Error("dist/ is missing: run `npm run build` first (npm test does it in pretest)");
  // `prepack` builds dist/ for a user packing a clean clone; here `npm test` built it already,
  // and rebuilding would pull dist/ from under the suites running beside this one.
  run("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch, "--silent"], repo);
  const tarball = readdirSync(scratch).find((file) => /^dotdo-.*\.tgz$/.test(file));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${scratch}`);

  // A fresh project: the fixture Worker and nothing of this repository.
  mkdirSync(project);
  cpSync(join(repo, "test/fixtures/app"), project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "packed-app", private: true, type: "module" }));
  const install = ["install", "--no-audit", "--no-fund", join(scratch, tarball)];
  try {
    run("npm", [...install.slice(0, 1), "--offline", ...install.slice(1)], project);
  } catch {
    run("npm", install, project);
  }
}, 240_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("the packed package, installed into a fresh project", () => {
  it("ships only bin and dist, and a dotdo bin that runs", () => {
    const files = execFileSync("tar", ["-tzf", join(scratch, readdirSync(scratch).find((f) => f.endsWith(".tgz")) ?? "")], { encoding: "utf8" }).split("\n");
    expect(files.filter(Boolean).every((file) => /^package\/(bin\/|dist\/|package\.json|README\.md|LICENSE)/.test(file))).toBe(true);
    expect(run("npx", ["--no-install", "dotdo", "presets"], project)).toMatch(/^node +Node\.js/m);
    expect(run("npx", ["--no-install", "dotdo", "--version"], project).trim()).toBe(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version);
  });

  it("builds with npx dotdo build --preset=node, and the output serves the Worker from a copy of .output alone", async () => {
    const printed = run("npx", ["--no-install", "dotdo", "build", "--preset=node"], project);
    expect(printed).toContain("Preview: node .output/server/index.mjs");
    const copy = join(scratch, "deployed");
    cpSync(join(project, ".output"), copy, { recursive: true });
    server = await startServer(process.execPath, ["server/index.mjs"], copy, { DOTDO_STORAGE: `file:${join(copy, "state")}` });
    expect(await (await fetch(`${server.url}/vars`)).json()).toEqual({ greeting: "hello from the fixture", limits: { maxNotes: 3 } });
    expect(await (await fetch(`${server.url}/counter/packed?by=7`, { method: "POST" })).json()).toEqual({ value: 7 });
    expect(await server.stop()).toBe(0);
    server = undefined;
  });
});
