import type { DeployDefinition, DeployStep, PlatformCli } from "../../presets/define";
import { DotdoError } from "../../runtime/errors";
import { CliNotInstalledError, CliNotLoggedInError, DeploySettingMissingError } from "./errors";
import { findExecutable } from "./find-executable";
import { runQuietly } from "./run-command";
import { assertDeployStorage } from "./storage";

/** One thing `dotdo deploy` made sure of before building. */
export interface DeployCheck {
  /** e.g. `fly installed`, `fly logged in`, `storage`, `RENDER_SERVICE_ID`. */
  name: string;
  ok: boolean;
  /** The command that decided it, for a CLI's checks. */
  command?: string;
  /** What passed: the storage kind, or the CLI's path. */
  detail?: string;
  /** Why it failed, typed. */
  error?: DotdoError;
}

export interface CheckOptions {
  deploy: DeployDefinition;
  steps: DeployStep[];
  root: string;
  /** The environment the CLIs run in, PATH including the project's node_modules/.bin. */
  env: NodeJS.ProcessEnv;
}

/** Every check a deploy needs, all run (so one report names everything missing). */
export async function runDeployChecks({ deploy, steps, root, env }: CheckOptions): Promise<DeployCheck[]> {
  const checks: DeployCheck[] = [];
  for (const setting of deploy.settings ?? []) {
    checks.push(env[setting.env] ? { name: setting.env, ok: true } : { name: setting.env, ok: false, error: new DeploySettingMissingError(setting.env, setting.description) });
  }
  if (deploy.storage === "remote") checks.push(await storageCheck(env));
  const clis = [...new Map(steps.map(({ cli }) => [cli.name, cli])).values()];
  for (const cli of clis) checks.push(...(await cliChecks(cli, root, env)));
  return checks;
}

async function storageCheck(env: NodeJS.ProcessEnv): Promise<DeployCheck> {
  try {
    return { name: "storage", ok: true, detail: await assertDeployStorage(env) };
  } catch (error) {
    if (error instanceof DotdoError) return { name: "storage", ok: false, error };
    throw error;
  }
}

async function cliChecks(cli: PlatformCli, root: string, env: NodeJS.ProcessEnv): Promise<DeployCheck[]> {
  const installed = `${cli.name} installed`;
  const loggedIn = `${cli.name} logged in`;
  const path = findExecutable(cli.bin, env.PATH ?? "");
  if (path === undefined) {
    return [{ name: installed, ok: false, error: new CliNotInstalledError(cli, `was not found in node_modules/.bin or on PATH`) }];
  }
  const versionCommand = [cli.bin, ...cli.version].join(" ");
  const version = await runQuietly(path, cli.version, { cwd: root, env });
  if (version.status !== 0) {
    const why = `\`${versionCommand}\` failed${version.lastErrorLine ? ` (${version.lastErrorLine})` : ""}`;
    return [{ name: installed, ok: false, command: versionCommand, error: new CliNotInstalledError(cli, `is not usable: ${why}`) }];
  }
  const whoamiCommand = [cli.bin, ...cli.whoami].join(" ");
  const whoami = await runQuietly(path, cli.whoami, { cwd: root, env });
  return [
    { name: installed, ok: true, command: versionCommand, detail: path },
    whoami.status === 0
      ? { name: loggedIn, ok: true, command: whoamiCommand }
      : { name: loggedIn, ok: false, command: whoamiCommand, error: new CliNotLoggedInError(cli, whoamiCommand, whoami.lastErrorLine) },
  ];
}
