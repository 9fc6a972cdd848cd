import type { DeployStep, PresetContext } from "./define";
import { DeployConfigError } from "./errors";

/** The preset's deploy commands for this build; a setting not given shows as `$NAME`. */
export function deploySteps(ctx: PresetContext, settings: Record<string, string> = {}): DeployStep[] {
  const deploy = ctx.preset.deploy;
  if (deploy === undefined) return [];
  const values = Object.fromEntries((deploy.settings ?? []).map(({ env }) => [env, settings[env] ?? `$${env}`]));
  return deploy.steps(ctx, values);
}

/** The deploy commands as one line for people, or undefined when this output cannot be deployed as built. */
export function deployCommandLine(ctx: PresetContext): string | undefined {
  try {
    const steps = deploySteps(ctx);
    return steps.length === 0 ? undefined : steps.map(commandLine).join(" && ");
  } catch (error) {
    if (error instanceof DeployConfigError) return undefined;
    throw error;
  }
}

/** A step as a person types it: npm-installed tools through npx, arguments quoted for a POSIX shell. */
export function commandLine({ cli, args }: DeployStep): string {
  return [cli.npm ? `npx ${cli.bin}` : cli.bin, ...args.map(quote)].join(" ");
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) || /^\$[A-Z_]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`);
