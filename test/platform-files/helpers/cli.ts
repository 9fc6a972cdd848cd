import { runCommand } from "citty";
import { main } from "../../../src/cli/index";

/**
 * Runs the `npx dotdo …` step of a platform's build command through dotdo's own CLI definition,
 * with the project as `--root` (a test cannot change its working directory). `replace` swaps
 * paths that only exist on the platform, e.g. a container's `/out`.
 */
export async function runDotdoStep(commandLine: string, root: string, replace: Record<string, string> = {}): Promise<void> {
  const [, args] = /(?:^|&&\s*)npx dotdo ([^&]+?)\s*(?:&&|$)/.exec(commandLine) ?? [];
  if (args === undefined) throw new Error(`no "npx dotdo" step in: ${commandLine}`);
  const rawArgs = args.split(/\s+/).map((arg) => replace[arg] ?? arg);
  await runCommand(main, { rawArgs: [...rawArgs, "--root", root] });
}
