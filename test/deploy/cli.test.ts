import { existsSync } from "node:fs";
import { join } from "pathe";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { recordCli } from "../cli/harness";
import { fakeClis, sandbox, type Sandbox } from "./helpers";

// Through the `dotdo` command: what a person and a script see. fly cannot run here, so a
// stand-in is on PATH (see helpers.ts); the commands themselves are tested in the other files.

const dotdo = recordCli();
let box: Sandbox;

beforeEach(() => {
  box = sandbox();
  const fakes = fakeClis(join(box.root, ".."), ["fly"]);
  for (const name of ["HOME", "XDG_CONFIG_HOME"] as const) vi.stubEnv(name, box.env[name]!);
  vi.stubEnv("PATH", fakes.path);
  for (const name of ["R2_ENDPOINT", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "DOTDO_GATEWAY_URL", "FAKE_CLI_FAIL"]) vi.stubEnv(name, "");
});
afterEach(() => {
  vi.unstubAllEnvs();
  box.remove();
});

describe("dotdo deploy", () => {
  it("--dry-run prints each check, the files built and the exact commands, and exits 0", async () => {
    const { output, exitCode } = await dotdo("deploy", "--preset=fly", "--dry-run", "--root", box.root);
    expect(exitCode).toBe(0);
    expect(output).toMatch(/^fail: storage: The deployed app keeps its Durable Objects in object storage.* \[STORAGE_SETTINGS_MISSING\]$/m);
    expect(output).toContain(`success: fly installed (${join(box.root, "..", "fake-bin", "fly")})`);
    expect(output).toContain("success: fly logged in");
    expect(output).toMatch(/^ {2}fly\.toml$/m);
    expect(output).toContain(`info: Dry run: would run, from ${box.root}:\n  fly deploy --config .output/fly.toml --dockerfile .output/Dockerfile`);
  });

  it("--dry-run --json prints one JSON document: checks with their error codes, files, commands as argv", async () => {
    const { output, exitCode } = await dotdo("deploy", "--preset=fly", "--dry-run", "--json", "--root", box.root);
    expect(exitCode).toBe(0);
    const result = JSON.parse(output) as Record<string, any>;
    expect(result).toMatchObject({ preset: "fly", root: box.root, outDir: join(box.root, ".output"), dryRun: true });
    expect(result.commands).toEqual([{ argv: ["fly", "deploy", "--config", ".output/fly.toml", "--dockerfile", ".output/Dockerfile"], line: "fly deploy --config .output/fly.toml --dockerfile .output/Dockerfile" }]);
    expect(result.checks.map((check: any) => [check.name, check.ok, check.error?.code])).toEqual([
      ["storage", false, "STORAGE_SETTINGS_MISSING"],
      ["fly installed", true, undefined],
      ["fly logged in", true, undefined],
    ]);
    expect(result.files).toContain("fly.toml");
  });

  it("without --dry-run, a failed check exits 1 with the error's code, and nothing is built", async () => {
    const { output, exitCode } = await dotdo("deploy", "--preset=fly", "--root", box.root);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/^error: The deployed app keeps its Durable Objects in object storage.* \[STORAGE_SETTINGS_MISSING\]$/m);
    expect(existsSync(join(box.root, ".output"))).toBe(false);
  });

  it("deploys: prints each command as it starts it, then the result", async () => {
    vi.stubEnv("R2_ENDPOINT", "https://example.r2.cloudflarestorage.com");
    vi.stubEnv("R2_ACCESS_KEY_ID", "id");
    vi.stubEnv("R2_SECRET_ACCESS_KEY", "secret");
    const { output, exitCode } = await dotdo("deploy", "--preset=fly", "--root", box.root);
    expect(exitCode, output).toBe(0);
    expect(output).toContain("start: fly deploy --config .output/fly.toml --dockerfile .output/Dockerfile");
    expect(output).toMatch(/^success: Deployed fly from /m);
  });
});
