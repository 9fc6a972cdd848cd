import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { delayedProgress } from "../../src/cli/progress";
import { buildProject } from "../../src/presets/build/index";

const scratch = mkdtempSync(join(tmpdir(), "dotdo-progress-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("progress output", () => {
  afterEach(() => vi.useRealTimers());

  it("stays quiet for a task that ends within the delay, then shows the current step and each next one", () => {
    vi.useFakeTimers();
    const printed: string[] = [];
    const progress = delayedProgress(1_000, (message) => printed.push(message));
    progress.step("Bundling");
    progress.step("Copying");
    vi.advanceTimersByTime(999);
    expect(printed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(printed).toEqual(["Copying"]);
    progress.step("Writing");
    expect(printed).toEqual(["Copying", "Writing"]);
    progress.done();
  });

  it("prints nothing once done, however long the clock runs on", () => {
    vi.useFakeTimers();
    const printed: string[] = [];
    const progress = delayedProgress(1_000, (message) => printed.push(message));
    progress.step("Bundling");
    progress.done();
    vi.advanceTimersByTime(60_000);
    expect(printed).toEqual([]);
  });

  it("is fed by the build: each step as it starts, assets only when the project has them", async () => {
    const steps: string[] = [];
    const fixtures = resolve(import.meta.dirname, "../fixtures");
    await buildProject({ root: join(fixtures, "assets"), preset: "node", outDir: join(scratch, "assets"), onProgress: (step) => steps.push(step) });
    expect(steps).toEqual(["Bundling src/index.js for node", "Copying static assets from public", `Writing ${join(scratch, "assets")}`]);
    steps.length = 0;
    await buildProject({ root: join(fixtures, "app"), preset: "cloudflare", outDir: join(scratch, "app"), onProgress: (step) => steps.push(step) });
    expect(steps).toEqual(["Bundling src/index.js for cloudflare", `Writing ${join(scratch, "app")}`]);
  });
});
