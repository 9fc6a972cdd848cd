import { defineCommand, runMain } from "citty";
import { consola, LogLevels } from "consola";
import { dotdoPackage } from "../plugin/package-paths";
import { lazy } from "./lazy";

/** The `dotdo` command. Adding a command is one line here and one file in `commands/`. */
export const main = defineCommand({
  meta: { name: "dotdo", version: dotdoPackage().version, description: "Run Cloudflare Workers with Durable Objects anywhere" },
  subCommands: {
    build: lazy(() => import("./commands/build")),
    preview: lazy(() => import("./commands/preview")),
    deploy: lazy(() => import("./commands/deploy")),
    presets: lazy(() => import("./commands/presets")),
    dev: lazy(() => import("./commands/dev")),
    login: lazy(() => import("./commands/login")),
    logout: lazy(() => import("./commands/logout")),
    token: lazy(() => import("./commands/token")),
    whoami: lazy(() => import("./commands/whoami")),
    config: lazy(() => import("./commands/config")),
    gateway: lazy(() => import("./commands/gateway")),
    snapshot: lazy(() => import("./commands/snapshot")),
  },
});

/** Runs the CLI with `rawArgs` (default: the process arguments). */
export function runCli(rawArgs: string[] = process.argv.slice(2)): Promise<void> {
  // consola goes quiet under NODE_ENV=test or CI test runners; a CLI's output is its interface.
  consola.level = LogLevels.info;
  return runMain(main, { rawArgs });
}
