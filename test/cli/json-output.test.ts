import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import { presetNames } from "../../src/presets/registry";
import { recordCli } from "./harness";

const repo = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-json-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const dotdo = recordCli();

describe("output for scripts", () => {
  it("dotdo --version prints the package's version", () => {
    // citty answers --version from the command's meta; the bin runs the built CLI (npm test builds first).
    const printed = execFileSync(process.execPath, [join(repo, "bin/dotdo.mjs"), "--version"], { encoding: "utf8" });
    expect(printed.trim()).toBe(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version);
  });

  it("dotdo presets --json lists every preset with its runtime, output directory, parent and what its deploy needs", async () => {
    const { output, exitCode } = await dotdo("presets", "--json");
    expect(exitCode).toBe(0);
    const presets = JSON.parse(output) as Record<string, any>[];
    expect(presets.map((preset) => preset.name)).toEqual(presetNames());
    expect(presets.find((preset) => preset.name === "node")).toMatchObject({ runtime: "node", outDir: ".output", extends: null, deploy: null });
    expect(presets.find((preset) => preset.name === "k8s")).toMatchObject({ runtime: "node", extends: "docker", deploy: { storage: "remote", settings: [] } });
    expect(presets.find((preset) => preset.name === "vercel")).toMatchObject({ runtime: "node", outDir: ".vercel/output", extends: "vercel-edge" });
    expect(presets.find((preset) => preset.name === "render")?.deploy).toEqual({ storage: "remote", settings: ["RENDER_SERVICE_ID"] });
    expect(presets.find((preset) => preset.name === "cloudflare")?.deploy).toEqual({ storage: null, settings: [] });
  });

  it("dotdo build --json prints the manifest with the output directory, the files written and the warnings, and nothing else", async () => {
    const outDir = join(scratch, "node");
    const { output, exitCode } = await dotdo("build", "--preset=node", "--json", "--root", join(repo, "test/fixtures/app"), "--outDir", outDir);
    expect(exitCode).toBe(0);
    const result = JSON.parse(output) as Record<string, any>;
    const manifest = JSON.parse(readFileSync(join(outDir, "dotdo.json"), "utf8")) as Record<string, unknown>;
    expect(result).toEqual({ project: "fixture-app", ...manifest, outDir, files: expect.any(Array), warnings: [] });
    expect(result.files).toContain("server/index.mjs");
    for (const file of result.files as string[]) expect(existsSync(join(outDir, file)), file).toBe(true);
  });
});
