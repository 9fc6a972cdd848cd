import { type ChildProcess, fork } from "node:child_process";
import { rm } from "node:fs/promises";
import { context, type Message } from "esbuild";
import { join } from "pathe";
import { loadProject } from "../../plugin/config";
import { resolvePreset } from "../registry";
import { BUNDLE_FILE, bundleOptions } from "./bundle";
import { type CustomBuildError, runCustomBuild, watchCustomBuild } from "./custom-build";

export interface DevOptions {
  root?: string;
  port?: number;
  host?: string;
  /** Called after each rebuild, with esbuild's errors (empty when the server restarted). */
  onRebuild?: (errors: Message[]) => void;
  /** Called when a re-run of `build.command` (after a change under `build.watch_dir`) fails. */
  onCustomBuildError?: (error: CustomBuildError) => void;
}

export interface DevServer {
  /** Stops watching and stops the server. */
  close(): Promise<void>;
}

/** Where dev builds go: inside node_modules, so they stay out of the project and its storage. */
const DEV_DIR = "node_modules/.dotdo/dev";

/** Builds the project for Node, runs it, and rebuilds and restarts it whenever a source file changes. */
export async function startDev(options: DevOptions = {}): Promise<DevServer> {
  const project = await loadProject({ ...(options.root === undefined ? {} : { root: options.root }), runBuild: runCustomBuild });
  const stopWatching = project.build ? watchCustomBuild(project.build, (error) => options.onCustomBuildError?.(error)) : () => {};
  const serverDir = join(project.root, DEV_DIR);
  await rm(serverDir, { recursive: true, force: true });
  let server: ChildProcess | undefined;

  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once("exit", done));
    running.kill("SIGTERM");
    await exited;
  };

  const env = {
    ...process.env,
    PORT: String(options.port ?? 3000),
    HOST: options.host ?? "127.0.0.1",
    // Served from the project itself, so edits show at once.
    ...(project.assets && { DOTDO_ASSETS_DIR: project.assets.directory }),
  };
  const base = bundleOptions(project, resolvePreset("node"), serverDir);
  const ctx = await context({
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      {
        name: "dotdo-dev-restart",
        setup(build) {
          build.onEnd(async (result) => {
            options.onRebuild?.(result.errors);
            if (result.errors.length > 0) return;
            await stop();
            server = fork(join(serverDir, BUNDLE_FILE), { cwd: project.root, env, stdio: "inherit" });
          });
        },
      },
    ],
  });
  await ctx.watch();
  return {
    async close() {
      stopWatching();
      await ctx.dispose();
      await stop();
    },
  };
}
