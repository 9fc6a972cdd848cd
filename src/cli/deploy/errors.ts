import type { PlatformCli } from "../../presets/define";
import { DotdoError, errorWithCode } from "../../runtime/errors";

/** The preset builds something to run yourself (node, bun, deno): there is no platform to deploy to. */
export class NoDeployError extends DotdoError {
  constructor(readonly preset: string, readonly deployable: readonly string[]) {
    super("NO_DEPLOY", `The ${preset} preset has no platform to deploy to: run its output yourself (npx dotdo preview), or deploy with one of ${deployable.join(", ")}`);
  }
}

/** A platform CLI the deploy runs is not found, or does not run. */
export class CliNotInstalledError extends DotdoError {
  constructor(readonly cli: PlatformCli, reason: string) {
    super("CLI_NOT_INSTALLED", `${cli.name} ${reason}. Install it: ${cli.install}`);
  }
}

/** A platform CLI that runs but cannot act on the platform: its own status command failed. */
export class CliNotLoggedInError extends DotdoError {
  constructor(readonly cli: PlatformCli, command: string, output: string) {
    super("CLI_NOT_LOGGED_IN", `${cli.name} is not logged in: \`${command}\` failed${output ? ` (${output})` : ""}. Log in: ${cli.login}`);
  }
}

/** The deployed app would have nowhere to keep its objects. */
export class StorageSettingsMissingError extends DotdoError {
  constructor(readonly missing: readonly string[]) {
    super(
      "STORAGE_SETTINGS_MISSING",
      `The deployed app keeps its Durable Objects in object storage, and none is configured (missing: ${missing.join(", ")}). ` +
        "Set them with `dotdo config set storage.endpoint https://…` (storage.accessKeyId, storage.secretAccessKey likewise), " +
        "or use a storage gateway: DOTDO_GATEWAY_URL=https://… and `dotdo login`",
    );
  }
}

/** A variable the preset's deploy commands need is not set. */
export class DeploySettingMissingError extends DotdoError {
  constructor(readonly env: string, description: string) {
    super("DEPLOY_SETTING_MISSING", `${env} is not set: ${description}. Set it in the environment, e.g. ${env}=… npx dotdo deploy`);
  }
}

/** More than one check failed: each one, typed, is in `problems`. */
export class DeployNotReadyError extends DotdoError {
  constructor(readonly preset: string, readonly problems: readonly DotdoError[]) {
    super("DEPLOY_NOT_READY", `Cannot deploy ${preset} yet:\n${problems.map((problem) => `  - ${problem.message} [${problem.code}]`).join("\n")}`);
  }
}

/** A platform command exited with an error; its own output, above, says why. */
export class DeployStepFailedError extends errorWithCode("DEPLOY_STEP_FAILED") {}
