import { posix } from "node:path";
import { expect } from "vitest";
import { HEALTH_PATH } from "../../../src/plugin/targets";
import type { DotdoManifest } from "../../../src/presets/build/manifest";
import { resolvePreset } from "../../../src/presets/registry";
import { all, envOf, execForm, inWorkdir, last, parseDockerfile } from "./dockerfile";

export interface ServerImage {
  /** The HEALTHCHECK command, exec form. */
  healthcheck: string[];
  /** ENV of the final stage. */
  env: Record<string, string>;
  /** CMD of the final stage, exec form. */
  cmd: string[];
}

/**
 * What every dotdo server Dockerfile must do: build on Node 24 slim in one stage, ship only the
 * server directory in a second, run it as a non-root user, and check the runtime's health path.
 */
export function expectServerDockerfile(text: string, manifest: DotdoManifest): ServerImage {
  const stages = parseDockerfile(text);
  expect(stages.length, "multi-stage").toBeGreaterThanOrEqual(2);
  const [build, final] = [stages[0]!, stages.at(-1)!];
  for (const stage of stages) expect(stage.from, "base image").toMatch(/^node:24(-[a-z0-9]+)*-slim$/);

  // The build stage runs dotdo for a Node-runtime preset into an output directory the final stage copies from.
  const run = all(build, "RUN").find((args) => /\bdotdo build\b/.test(args));
  const [, preset = "", outDir = ""] = /dotdo build --preset=(\S+) --outDir (\S+)/.exec(run ?? "") ?? [];
  expect(resolvePreset(preset).runtime, `${run}`).toBe("node");
  const entryDir = posix.dirname(manifest.entry);
  const copy = all(final, "COPY").find((args) => args.includes(`--from=${build.name}`));
  const [source, destination] = (copy ?? "").split(/\s+/).filter((part) => !part.startsWith("--"));
  expect(source).toBe(posix.join(inWorkdir(build, outDir), entryDir));

  // CMD runs the bundle the build wrote, from where COPY put it, in exec form so SIGTERM reaches node.
  const cmd = execForm(last(final, "CMD") ?? "null");
  expect(cmd[0]).toBe("node");
  expect(inWorkdir(final, cmd[1] ?? "")).toBe(posix.join(destination ?? "", posix.basename(manifest.entry)));

  const user = last(final, "USER");
  expect(user, "USER in the final stage").toBeDefined();
  expect(["root", "0"]).not.toContain(user?.split(":")[0]);
  expect(final.instructions.findIndex((i) => i.keyword === "USER")).toBeLessThan(final.instructions.findIndex((i) => i.keyword === "CMD"));

  const env = envOf(final);
  expect(all(final, "EXPOSE")).toEqual([env.PORT]);
  const healthcheck = last(final, "HEALTHCHECK") ?? "";
  const [, options = "", command = "null"] = /^(.*?)\s*CMD\s+(\[.*\])$/.exec(healthcheck) ?? [];
  expect(options).toMatch(/--interval=\d+s/);
  const probe = execForm(command);
  expect(probe.join(" ")).toContain(HEALTH_PATH);
  return { healthcheck: probe, env, cmd };
}
