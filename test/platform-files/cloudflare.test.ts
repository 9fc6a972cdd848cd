import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ICEBERG_BUCKET_BINDING } from "../../src/presets/cloudflare/templates/wrangler-json";
import { buildInProject, type BuiltProject } from "./helpers/project";
import { runTool } from "./helpers/tools";

const wrangler = resolve(import.meta.dirname, "../../node_modules/.bin/wrangler");
// Cloudflare's limit on a Worker after gzip on the Free plan (10 MB on paid plans).
const WORKER_GZIP_LIMIT_KIB = 3 * 1024;
let built: BuiltProject;
const scratch = mkdtempSync(join(tmpdir(), "dotdo-wrangler-"));

beforeAll(async () => {
  built = await buildInProject("cloudflare");
});
afterAll(() => {
  built?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** `wrangler deploy --dry-run` reads and checks the config and the module, and stops before any upload: no account needed. */
function dryRun(config: string) {
  const env = { PATH: process.env.PATH ?? "", HOME: scratch, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" };
  return runTool(wrangler, ["deploy", "--dry-run", "--config", config, "--outdir", join(scratch, "out")], { cwd: built.root, env, timeout: 60_000 });
}

describe("cloudflare preset: wrangler.json", () => {
  it("passes wrangler deploy --dry-run with no warning, and wrangler sees every binding", () => {
    const result = dryRun(built.path("wrangler.json"));
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).not.toMatch(/WARNING|ERROR/);
    for (const binding of built.build.project.durableObjects) {
      expect(output).toMatch(new RegExp(`env\\.${binding.name} \\(${binding.className}\\)\\s+Durable Object`));
    }
    expect(output).toMatch(new RegExp(`env\\.${ICEBERG_BUCKET_BINDING} \\(\\S+\\)\\s+R2 Bucket`));
    for (const name of Object.keys(built.build.project.vars)) expect(output).toMatch(new RegExp(`env\\.${name} .*Environment Variable`));
    const [, gzipKib] = /gzip: ([\d.]+) KiB/.exec(output) ?? [];
    expect(Number(gzipKib)).toBeLessThan(WORKER_GZIP_LIMIT_KIB);
  });

  it("is checked by a wrangler that rejects a config naming a module that does not exist (the validator can fail)", () => {
    const config = built.json("wrangler.json");
    const broken = join(built.build.outDir, "broken.json");
    runTool(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(broken)}, JSON.stringify(${JSON.stringify({ ...config, main: "server/missing.mjs" })}))`]);
    expect(dryRun(broken).status).not.toBe(0);
  });
});
