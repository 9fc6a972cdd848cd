import { loadProject } from "../../plugin/config";
import { buildProject, outputDirectory, presetContext } from "../../presets/build/index";
import { commandLine, deploySteps } from "../../presets/deploy-steps";
import { BuildError } from "../../presets/errors";
import { PRESETS, resolvePreset } from "../../presets/registry";
import { runDeployChecks, type DeployCheck } from "./checks";
import { DeployNotReadyError, DeployStepFailedError, NoDeployError } from "./errors";
import { findExecutable, toolPath } from "./find-executable";
import { runAttached } from "./run-command";

export interface DeployOptions {
  /** Preset name; otherwise `preset` from dotdo.config.ts. */
  preset?: string;
  /** Project directory (default: the working directory). */
  root?: string;
  /** Output directory, relative to `root`. */
  outDir?: string;
  /** Check and build, then report the commands instead of running them. */
  dryRun?: boolean;
  /** Send the platform CLIs' stdout to stderr, so stdout holds only the caller's JSON. */
  stdoutToStderr?: boolean;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Passed to the build (see BuildOptions). */
  onProgress?: (step: string) => void;
  /** Called before each platform command runs. */
  onCommand?: (command: DeployCommand) => void;
}

export interface DeployCommand {
  /** What is executed, from the project root: the CLI's executable name, then its arguments. */
  argv: string[];
  /** The same as a person types it. */
  line: string;
}

export interface DeployResult {
  preset: string;
  root: string;
  outDir: string;
  /** Files the build wrote, relative to `outDir`. */
  files: string[];
  warnings: string[];
  checks: DeployCheck[];
  commands: DeployCommand[];
  dryRun: boolean;
}

/**
 * Checks that the preset's platform CLIs are installed and logged in and that the deployed app
 * will have its storage, builds, then runs the preset's deploy commands in order. A failed
 * check stops it before the build; `dryRun` reports the checks and the commands instead.
 */
export async function deployProject(options: DeployOptions = {}): Promise<DeployResult> {
  const project = await loadProject(options.root === undefined ? {} : { root: options.root });
  const presetName = options.preset ?? project.preset;
  if (presetName === undefined) throw new BuildError(`No preset given: pass --preset=<name> (one of ${deployablePresets().join(", ")})`);
  const preset = resolvePreset(presetName);
  const { deploy } = preset;
  if (deploy === undefined) throw new NoDeployError(presetName, deployablePresets());

  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  env.PATH = toolPath(project.root, env);
  const settings = Object.fromEntries((deploy.settings ?? []).flatMap(({ env: name }) => (env[name] ? [[name, env[name]]] : [])));
  const ctx = presetContext(project, preset, outputDirectory(project, preset, options.outDir));
  const steps = deploySteps(ctx, settings);

  const checks = await runDeployChecks({ deploy, steps, root: project.root, env });
  const problems = checks.flatMap((check) => (check.error ? [check.error] : []));
  if (!options.dryRun && problems.length > 0) throw problems.length === 1 ? problems[0]! : new DeployNotReadyError(presetName, problems);

  const build = await buildProject({
    root: project.root,
    preset: presetName,
    ...(options.outDir === undefined ? {} : { outDir: options.outDir }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const commands = steps.map((step) => ({ argv: [step.cli.bin, ...step.args], line: commandLine(step) }));
  if (!options.dryRun) {
    for (const [index, step] of steps.entries()) {
      const command = commands[index]!;
      options.onCommand?.(command);
      // Found by the checks above, on the same PATH.
      const file = findExecutable(step.cli.bin, env.PATH) ?? step.cli.bin;
      const status = await runAttached(file, step.args, { cwd: project.root, env, stdoutToStderr: options.stdoutToStderr === true });
      if (status !== 0) {
        const skipped = commands.slice(index + 1).map((next) => next.line);
        throw new DeployStepFailedError(`\`${command.line}\` exited with status ${status}${skipped.length > 0 ? `; not run: ${skipped.join(", ")}` : ""}`);
      }
    }
  }
  return {
    preset: presetName,
    root: project.root,
    outDir: build.outDir,
    files: build.files,
    warnings: build.warnings,
    checks,
    commands,
    dryRun: options.dryRun === true,
  };
}

/** Presets with a platform to deploy to. */
export function deployablePresets(): string[] {
  return PRESETS.filter((preset) => resolvePreset(preset.name).deploy !== undefined).map((preset) => preset.name);
}
