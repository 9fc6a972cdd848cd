import { spawn } from "node:child_process";
import { existsSync, watch } from "node:fs";
import type { CustomBuild } from "../../plugin/config";
import { DotdoError } from "../../runtime/errors";

/** The project's `build.command` could not run or exited with an error: nothing was bundled. */
export class CustomBuildError extends DotdoError {
  constructor(
    readonly command: string,
    readonly cwd: string,
    problem: string,
    readonly output: string,
  ) {
    super("BUILD_COMMAND_FAILED", `build.command \`${command}\` (run in ${cwd}) ${problem}; nothing was bundled${output ? `. Its last output:\n${output}` : ""}`);
  }
}

/** Lines of output kept for the error message; all of it goes to the terminal (stderr) as it comes. */
const TAIL_LINES = 20;

/** Runs wrangler's custom build as wrangler does: through the shell, in `build.cwd`, with the user's environment. */
export async function runCustomBuild(build: CustomBuild): Promise<void> {
  const child = spawn(build.command, { cwd: build.cwd, shell: true, stdio: ["ignore", "pipe", "pipe"] });
  let tail: string[] = [];
  const keep = (chunk: Buffer) => (tail = [...tail, ...chunk.toString().split("\n").filter(Boolean)].slice(-TAIL_LINES));
  // Both streams to stderr: stdout is the CLI's channel for data (`dotdo build --json`).
  child.stdout.on("data", (chunk: Buffer) => (process.stderr.write(chunk), keep(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (process.stderr.write(chunk), keep(chunk)));
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((done) => {
    child.once("error", done);
    child.once("close", (code, signal) => done({ code, signal }));
  });
  const output = tail.join("\n");
  if (ended instanceof Error) throw new CustomBuildError(build.command, build.cwd, `could not start: ${ended.message}`, output);
  if (ended.signal !== null) throw new CustomBuildError(build.command, build.cwd, `was ended by ${ended.signal}`, output);
  if (ended.code !== 0) throw new CustomBuildError(build.command, build.cwd, `exited with code ${ended.code}`, output);
}

/**
 * Re-runs the custom build whenever a file under its `watch_dir`s changes, as `wrangler dev` does,
 * one run at a time (a change during a run starts one more after it). Returns a function that stops watching.
 */
export function watchCustomBuild(build: CustomBuild, onError: (error: CustomBuildError) => void): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (running) return void (again = true);
    running = runCustomBuild(build)
      .catch((error: unknown) => (error instanceof CustomBuildError ? onError(error) : Promise.reject(error)))
      .finally(() => {
        running = undefined;
        if (again) (again = false), run();
      });
  };
  const watchers = build.watchDirs.filter((dir) => existsSync(dir)).map((dir) => watch(dir, { recursive: true }, run));
  return () => watchers.forEach((watcher) => watcher.close());
}
