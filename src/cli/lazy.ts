import type { CommandDef, SubCommandsDef } from "citty";
import { consola } from "consola";
import { DotdoError } from "../runtime/errors";

type AnyCommand = CommandDef<any>;
type Loader = () => Promise<{ default: AnyCommand }>;

/**
 * A command loaded on first use, whose failures are reported as one clear line: a DotdoError
 * prints its message (which names the cause) and sets exit code 1; anything else keeps its stack.
 */
export function lazy(load: Loader): () => Promise<AnyCommand> {
  return () => load().then((module) => reportingErrors(module.default));
}

function reportingErrors(command: AnyCommand): AnyCommand {
  const { run, subCommands } = command;
  return {
    ...command,
    ...(run
      ? {
          run: async (context) => {
            try {
              return await run(context);
            } catch (error) {
              report(error);
            }
          },
        }
      : {}),
    ...(subCommands ? { subCommands: wrapSubCommands(subCommands) } : {}),
  };
}

function wrapSubCommands(subCommands: NonNullable<AnyCommand["subCommands"]>): () => Promise<SubCommandsDef> {
  return async () => {
    const resolved = typeof subCommands === "function" ? await subCommands() : await subCommands;
    const wrapped: SubCommandsDef = {};
    for (const [name, sub] of Object.entries(resolved)) {
      wrapped[name] = async () => reportingErrors(await (typeof sub === "function" ? sub() : sub));
    }
    return wrapped;
  };
}

function report(error: unknown): void {
  process.exitCode = 1;
  if (error instanceof DotdoError) consola.error(`${error.message} [${error.code}]`);
  else consola.error(error);
}
